"""The change log: who changed what in a course, and when. Rows are only ever added.

Every feature writes through ``record``; the log page shows each entry in the
reader's language through ``describe``, never as a raw code.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.types import UTCDateTime, utcnow
from lms.extensions import db


class AuditEvent(db.Model):
    """One change to a course: who (None: an import or the system), when, what (``action``)
    and to what (``subject``), with the values the description needs (``detail``, JSON)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(300), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def record(*, course_id: int | None, user_id: int | None, action: str, subject: str = "", **values) -> AuditEvent:
    """Add one entry to the change log (flushed with the caller's transaction)."""
    if action not in LABELS:
        raise ValueError(f"unknown change-log action {action!r}")
    event = AuditEvent(course_id=course_id, user_id=user_id, action=action, subject=subject[:300],
                       detail=json.dumps(values, ensure_ascii=False, default=str) if values else "",
                       created_at=utcnow())
    db.session.add(event)
    return event


def values_of(event: AuditEvent) -> dict:
    try:
        values = json.loads(event.detail) if event.detail.startswith("{") else {}
    except ValueError:
        values = {}
    return values if isinstance(values, dict) else {}


def describe(event: AuditEvent) -> str:
    """The entry as a sentence in the reader's language."""
    from lms.i18n.languages import CONTENT_LANGUAGES

    values = {key: value for key, value in values_of(event).items() if isinstance(key, str)}
    if "language" not in values and "/" in event.subject:  # entries written before values were kept
        values["language"] = event.subject.rsplit("/", 1)[1]
    if "language" in values:
        values["language"] = CONTENT_LANGUAGES.get(str(values["language"]), str(values["language"]))
    label = LABELS.get(event.action)
    if label is None:
        return event.action
    try:
        return label(values)
    except KeyError:
        return PLAIN[event.action]() if event.action in PLAIN else event.action


def _v(values: dict, key: str) -> str:
    return str(values[key])


# Each action and how it reads. ``values`` are those given to ``record``.
LABELS: dict[str, Callable[[dict], str]] = {
    "course-created": lambda v: _("Course created"),
    "course-updated": lambda v: _("Course settings changed"),
    "module-added": lambda v: _("Module added"),
    "module-moved": lambda v: _("Module moved to place %(position)s", position=_v(v, "position")),
    "module-renamed": lambda v: _("Module renamed to “%(title)s”", title=_v(v, "title")),
    "module-published": lambda v: _("Module shown to learners"),
    "module-unpublished": lambda v: _("Module hidden from learners"),
    "module-removed": lambda v: _("Module removed"),
    "module-restored": lambda v: _("Module restored"),
    "module-watch-rule": lambda v: (_("Learners must watch %(percent)s %% of the video", percent=_v(v, "percent"))
                                    if v.get("percent") else _("Completing no longer depends on the video")),
    "module-check-rules": lambda v: _("Knowledge-check rules changed: %(mark)s %% to pass",
                                      mark=_v(v, "pass_mark")),
    "source-changed": lambda v: _("Source marked as changed"),
    "module-reviewed": lambda v: _("Text confirmed as reviewed against its sources (%(language)s)",
                                   language=_v(v, "language")),
    "text-saved": lambda v: _("Draft saved (%(language)s)", language=_v(v, "language")),
    "text-published": lambda v: _("Text published (%(language)s)", language=_v(v, "language")),
    "text-restored": lambda v: _("Earlier text restored as a draft (%(language)s)", language=_v(v, "language")),
    "media-added": lambda v: _("File uploaded"),
    "media-replaced": lambda v: _("File replaced"),
    "package-applied": lambda v: _("Course package applied from the browser"),
    "author-added": lambda v: _("Author added"),
    "author-removed": lambda v: _("Author removed"),
    "session-scheduled": lambda v: _("Live session scheduled"),
    "attendance-marked": lambda v: _("Attendance saved"),
    "membership-requested": lambda v: _("Asked to join the organisation"),
    "membership-confirmed": lambda v: _("Membership of %(member)s confirmed", member=_v(v, "member")),
    "membership-declined": lambda v: _("Request of %(member)s declined", member=_v(v, "member")),
    "membership-left": lambda v: _("Left the organisation, or withdrew the request"),
    # Changes made by importing the course package from the command line.
    "import-created": lambda v: _("Course created from its package"),
    "import-setting": lambda v: _("Setting changed by the package import"),
    "import-course-text": lambda v: _("Course title or summary changed by the package import (%(language)s)",
                                      language=_v(v, "language")),
    "import-module-added": lambda v: _("Module added by the package import"),
    "import-module-removed": lambda v: _("Module removed by the package import"),
    "import-module-restored": lambda v: _("Module restored by the package import"),
    "import-module-published": lambda v: _("Module shown to learners by the package import"),
    "import-module-unpublished": lambda v: _("Module hidden from learners by the package import"),
    "import-module-checks": lambda v: _("Knowledge-check rules changed by the package import"),
    "import-sources": lambda v: _("Sources changed by the package import"),
    "import-order": lambda v: _("Module order changed by the package import"),
    "import-text": lambda v: _("Text published by the package import (%(language)s)", language=_v(v, "language")),
    "import-text-withdrawn": lambda v: _("Text withdrawn by the package import (%(language)s)",
                                         language=_v(v, "language")),
    "import-media": lambda v: _("File added or replaced by the package import"),
    "import-media-removed": lambda v: _("File removed by the package import"),
    # Translators: a change-log entry: an imported course package changed an item that an author had also
    # changed in the browser since the last import; the author's version stayed.
    "import-kept": lambda v: _("The package changed this too, but the change made here was kept"),
}
# How an entry reads when the values its label names were not kept (older entries).
PLAIN: dict[str, Callable[[], str]] = {
    "module-moved": lambda: _("Module moved"),
    "module-renamed": lambda: _("Module renamed"),
    "module-check-rules": lambda: _("Knowledge-check rules changed"),
    "module-reviewed": lambda: _("Text confirmed as reviewed against its sources"),
    "text-saved": lambda: _("Draft saved"),
    "text-published": lambda: _("Text published"),
    "text-restored": lambda: _("Earlier text restored as a draft"),
}
