"""Panels one feature adds to another feature's page, without either importing the other's views.

The page's template calls ``template_hook("course-page", course=…)``; a feature registers a
function for that name in its ``init_app``. Each function returns HTML (or nothing).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from flask import Flask, current_app
from markupsafe import Markup

Panel = Callable[..., str | None]


def register(app: Flask, name: str, panel: Panel, *, order: int = 50) -> None:
    app.extensions.setdefault("lms_hooks", defaultdict(list))[name].append((order, panel))
    app.extensions["lms_hooks"][name].sort(key=lambda item: item[0])


def template_hook(name: str, **context) -> Markup:
    """Every panel registered for ``name``, in order."""
    panels = current_app.extensions.get("lms_hooks", {}).get(name, [])
    return Markup("".join(str(html) for _order, panel in panels if (html := panel(**context))))


def init_app(app: Flask) -> None:
    app.jinja_env.globals["template_hook"] = template_hook
