"""Background work, off the request path: e-mail, LTI scores, anything that talks to the network.

A Huey queue: SQLite storage in ``instance/jobs.sqlite3`` by default, Redis when
``LMS_REDIS_URL`` is set. ``make run`` starts the worker beside the site; in
production it runs as its own process (``huey_consumer worker.huey``, see the
README). Jobs are queued when the request's transaction commits (``after_commit``),
so a worker never looks for rows that are not there yet, and a rolled-back request
queues nothing. Each job runs in an application context.

``LMS_JOBS``: ``queue`` (the default), or ``immediate`` to run each job at once in
the process that queues it (tests), or ``memory`` (tests that look at the queue).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from huey import Huey
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage
from sqlalchemy import event
from sqlalchemy.orm import Session

huey = Huey("nordlearn", results=False, storage_class=MemoryStorage, utc=True)
log = logging.getLogger(__name__)
_AFTER_COMMIT = "lms_jobs_after_commit"
_apps: list[Flask] = []


def configure(app: Flask) -> None:
    """Point the queue at this app's storage (one app per process, as a worker or a web server)."""
    mode = app.config.get("LMS_JOBS", "queue")
    huey._immediate = mode == "immediate"
    if mode in ("immediate", "memory"):
        huey.storage_class, huey.storage_kwargs = MemoryStorage, {}
    elif app.config.get("LMS_REDIS_URL"):
        huey.storage_class, huey.storage_kwargs = RedisStorage, {"url": app.config["LMS_REDIS_URL"]}
    else:
        path = Path(app.instance_path) / "jobs.sqlite3"
        huey.storage_class, huey.storage_kwargs = SqliteStorage, {"filename": str(path)}
    huey.storage = huey.create_storage()
    _apps[:] = [app]


def job(**options) -> Callable:
    """A function that runs in the worker when called as ``fn.queue(...)``, or ``fn(...)`` right here."""

    def decorator(function: Callable) -> Callable:
        @functools.wraps(function)
        def in_app(*args, **kwargs):
            # An application context of its own (its own database session), in the worker as in
            # ``immediate`` mode, where a job runs as the queuing transaction commits.
            with _apps[0].app_context():
                return function(*args, **kwargs)

        task = huey.task(**options)(in_app)
        function.task = task  # the Huey task, for tests and the worker
        function.queue = functools.partial(after_commit, task)
        return function

    return decorator


def after_commit(task, *args, **kwargs) -> None:
    """Queue ``task`` once the current database transaction commits (in ``immediate`` mode, run it then)."""
    from lms.extensions import db

    db.session().info.setdefault(_AFTER_COMMIT, []).append((task, args, kwargs))


@event.listens_for(Session, "after_commit")
def _queue_committed(session: Session) -> None:
    for task, args, kwargs in session.info.pop(_AFTER_COMMIT, []):
        try:
            task(*args, **kwargs)
        except Exception:  # the queue is down: the work stays in its outbox table where it has one
            log.exception("could not queue %s", getattr(task, "name", task))


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_AFTER_COMMIT, None)


def run_pending(limit: int = 1000) -> int:
    """Run queued jobs here and now (the ``jobs run`` command, and tests); returns how many ran."""
    ran = 0
    while ran < limit:
        task = huey.dequeue()
        if task is None:
            break
        huey.execute(task)
        ran += 1
    return ran


def init_app(app: Flask) -> None:
    import click
    from flask.cli import AppGroup

    configure(app)
    jobs_cli = AppGroup("jobs", help="Background jobs.")

    @jobs_cli.command("run")
    def run_command() -> None:
        """Run the jobs waiting in the queue, then stop (the worker does this continuously)."""
        click.echo(f"ran {run_pending()} job(s)")

    @jobs_cli.command("pending")
    def pending_command() -> None:
        click.echo(f"{huey.pending_count()} job(s) waiting")

    app.cli.add_command(jobs_cli)
    app.extensions["lms_jobs"] = huey
