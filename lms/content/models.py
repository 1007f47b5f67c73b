from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.types import UTCDateTime, utcnow
from lms.extensions import db


class CoursePackageState(db.Model):
    """What a course's package held when it was last imported from the command line (JSON, see
    ``lms.content.package_import``): the base against which the next import tells what the package
    changed since, and what was changed in the browser meanwhile."""

    __tablename__ = "course_package_states"

    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
