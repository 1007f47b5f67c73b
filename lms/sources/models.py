from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.types import UTCDateTime
from lms.extensions import db


class CourseSource(db.Model):
    """A text a course cites (``sources:`` in course.yml): a consolidated regulation, an MDCG or GVP
    document, with the version or date the course was written against."""

    __tablename__ = "course_sources"
    __table_args__ = (UniqueConstraint("course_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(300))
    version: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(500))
    # Set when an author or admin marks the source as changed (a new revision, an amendment).
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    change_note: Mapped[str | None] = mapped_column(String(300))


class ModuleSource(db.Model):
    """A module cites a source."""

    __tablename__ = "module_sources"
    __table_args__ = (UniqueConstraint("module_id", "source_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("course_sources.id", ondelete="CASCADE"), index=True)


class ModuleReview(db.Model):
    """An author confirmed a module's text in one language against its sources without changing it."""

    __tablename__ = "module_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
