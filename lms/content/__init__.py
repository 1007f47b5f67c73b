"""Course content: Markdown rendering (cached per revision) and course packages."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from lms.content import cli

    app.cli.add_command(cli.courses_cli)
