from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.types import UTCDateTime, str_enum, utcnow
from lms.extensions import db


class EnrolmentSource(enum.StrEnum):
    SELF = "self"
    LTI = "lti"


class ProgressStatus(enum.StrEnum):
    STARTED = "started"
    COMPLETED = "completed"


class Enrolment(db.Model):
    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    source: Mapped[EnrolmentSource] = mapped_column(
        str_enum(EnrolmentSource),
        default=EnrolmentSource.SELF,
    )
    # The platform course an LTI launch came from, for reporting.
    lti_context_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ModuleProgress(db.Model):
    __tablename__ = "module_progress"
    __table_args__ = (UniqueConstraint("user_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # RESTRICT: deleting a module must never silently drop learners' history.
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="RESTRICT"), index=True)
    status: Mapped[ProgressStatus] = mapped_column(
        str_enum(ProgressStatus),
        default=ProgressStatus.STARTED,
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class VideoProgress(db.Model):
    """How much of one video of a module a learner has watched: the merged time ranges
    (JSON ``[[start, end], …]`` in seconds) and their total."""

    __tablename__ = "video_progress"
    __table_args__ = (UniqueConstraint("user_id", "module_id", "video"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="RESTRICT"), index=True)
    video: Mapped[str] = mapped_column(String(120))
    watched: Mapped[str] = mapped_column(Text, default="[]")
    seconds: Mapped[float] = mapped_column(default=0.0)
    last_report_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CourseCompletion(db.Model):
    """A learner completed a course: recorded once (the database holds one per learner and course),
    its date never moves, and what it was completed with is kept as it was then."""

    __tablename__ = "course_completions"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="RESTRICT"), index=True)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The final test's best score, else the mean of the best scores of the required modules'
    # knowledge checks; None for a course without questions.
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 4))
    version: Mapped[str] = mapped_column(String(40))
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    seconds_spent: Mapped[int] = mapped_column(default=0)


class ModuleTime(db.Model):
    """Active time a learner spent on a module's page: added ping by ping, measured by the server's
    clock, at most ``learning.time.CEILING`` per ping."""

    __tablename__ = "module_time"
    __table_args__ = (UniqueConstraint("user_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="RESTRICT"), index=True)
    seconds: Mapped[int] = mapped_column(default=0)
    last_ping_at: Mapped[datetime] = mapped_column(UTCDateTime())
