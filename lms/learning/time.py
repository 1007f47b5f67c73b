"""Time on a module: the module page's script reports, every ``INTERVAL`` seconds while the tab is
visible and the learner active, that they are still there. Each report adds the time since the
previous one by the server's clock, at most ``CEILING``; after a longer silence (tab hidden, learner
away, laptop closed) it only starts a new stretch. Nothing the client says about time is used."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from lms.accounts.models import User
from lms.catalog.models import Module
from lms.core.sql import insert_or_ignore
from lms.extensions import db
from lms.learning.models import ModuleTime

INTERVAL = 30  # seconds between reports (static/js/activity.js)
CEILING = 45  # at most this many seconds are added per report
GAP = 90  # a silence longer than this is not counted


def record_ping(*, user: User, module: Module, at: datetime) -> int:
    """Add the time since the learner's previous report on ``module``; returns their total seconds."""
    if insert_or_ignore(ModuleTime, {"user_id": user.id, "module_id": module.id, "seconds": 0, "last_ping_at": at},
                        conflict=("user_id", "module_id")):
        return 0
    row = db.session.scalars(select(ModuleTime).where(ModuleTime.user_id == user.id, ModuleTime.module_id == module.id)
                             .with_for_update().execution_options(populate_existing=True)).one()
    elapsed = (at - row.last_ping_at).total_seconds()
    row.seconds += int(min(elapsed, CEILING)) if 0 < elapsed <= GAP else 0
    row.last_ping_at = max(at, row.last_ping_at)
    db.session.flush()
    return row.seconds


def seconds_by_module(*, user: User, module_ids: list[int]) -> dict[int, int]:
    if not module_ids:
        return {}
    return dict(db.session.execute(select(ModuleTime.module_id, ModuleTime.seconds).where(
        ModuleTime.user_id == user.id, ModuleTime.module_id.in_(module_ids))).all())
