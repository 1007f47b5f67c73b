from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.types import UTCDateTime, str_enum, utcnow
from lms.extensions import db


class RevisionStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    # The language version was taken down; an empty body, kept for history.
    WITHDRAWN = "withdrawn"


class Course(db.Model):
    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    default_language: Mapped[str] = mapped_column(String(8))
    version: Mapped[str] = mapped_column(String(40))
    estimated_hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    published: Mapped[bool] = mapped_column(default=False)
    # The date the content states the law as at, who provides the course and with which partner
    # organisation, and whether experts approved it (``pending`` until they do): all on certificates.
    law_as_at: Mapped[date | None] = mapped_column(Date)
    review_status: Mapped[str] = mapped_column(String(20), default="pending", server_default="pending")
    # foundation, intermediate or advanced; the date of this version; when experts review it next.
    level: Mapped[str | None] = mapped_column(String(20))
    version_date: Mapped[date | None] = mapped_column(Date)
    next_review: Mapped[date | None] = mapped_column(Date)
    provider: Mapped[str | None] = mapped_column(String(200))
    partner: Mapped[str | None] = mapped_column(String(200))
    # What completes the course (course.yml's ``completion``): the modules required (JSON list of
    # slugs; None: every module learners see) and the time to spend on its modules first.
    required_modules: Mapped[str | None] = mapped_column(Text)
    minimum_minutes: Mapped[int | None] = mapped_column()
    # Bumped by every change to the course's media, so that cached pages showing media follow it.
    media_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    texts: Mapped[list[CourseText]] = relationship(
        back_populates="course", cascade="all, delete-orphan", order_by="CourseText.language"
    )
    modules: Mapped[list[Module]] = relationship(
        back_populates="course", cascade="all, delete-orphan", order_by="Module.position"
    )

    def __repr__(self) -> str:
        return f"<Course {self.slug!r}>"


class CourseText(db.Model):
    """A course's title and summary in one language."""

    __tablename__ = "course_texts"
    __table_args__ = (UniqueConstraint("course_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    # Who the course is for, what it assumes, what learners will be able to do (JSON list) and the
    # role of its expert reviewer, in this language.
    audience: Mapped[str] = mapped_column(Text, default="", server_default="")
    prerequisites: Mapped[str] = mapped_column(Text, default="", server_default="")
    outcomes: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    reviewer: Mapped[str] = mapped_column(String(300), default="", server_default="")

    course: Mapped[Course] = relationship(back_populates="texts")


class Module(db.Model):
    __tablename__ = "modules"
    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    position: Mapped[int]
    published: Mapped[bool] = mapped_column(default=True)
    # For a module with a recorded lecture: how much of each video (percent) a learner must
    # have watched before completing it; None for no rule.
    required_watch_percent: Mapped[int | None] = mapped_column()
    # Knowledge checks: the score (percent) that passes, how many attempts a learner has (None: no
    # limit), how long they wait between attempts, and whether the module completes only once passed.
    pass_mark: Mapped[int] = mapped_column(default=70, server_default="70")
    max_attempts: Mapped[int | None] = mapped_column()
    attempt_wait_minutes: Mapped[int | None] = mapped_column()
    must_pass: Mapped[bool] = mapped_column(default=True, server_default=true())
    # A final test: each attempt draws this many of the module's questions (its pool) at random.
    draw: Mapped[int | None] = mapped_column()
    # Set when a module is removed from its course: hidden everywhere, yet kept
    # with its revisions and learners' progress, and restorable.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    course: Mapped[Course] = relationship(back_populates="modules")

    def __repr__(self) -> str:
        return f"<Module {self.slug!r} #{self.position}>"


class ModuleRevision(db.Model):
    """One saved text of a module in one language. Rows are only ever added.

    Learners see, per language, the newest published revision; history,
    restore and translation state are read from this table.
    """

    __tablename__ = "module_revisions"
    __table_args__ = (
        Index("ix_module_revisions_latest", "module_id", "language", "status", "id"),
        # One revision per number: two saves from the same base cannot both be added.
        UniqueConstraint("module_id", "language", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    # 1, 2, 3, … per module and language: the revision made from revision n is n + 1.
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    # The whole Markdown file, title line included, exactly as written.
    body: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[RevisionStatus] = mapped_column(str_enum(RevisionStatus))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # For a translation: the source text it was made from, by language and content
    # hash (full, or the 16-character prefix a package gave when that text is not
    # known here), and that revision when it is known here.
    source_language: Mapped[str | None] = mapped_column(String(8))
    source_hash: Mapped[str | None] = mapped_column(String(64))
    source_revision_id: Mapped[int | None] = mapped_column(ForeignKey("module_revisions.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CourseMedia(db.Model):
    """An image, video or subtitle track of a course, referenced from its modules as ``media/<name>``.

    The bytes live outside the database, stored by their SHA-256 (see
    ``lms.content.media``); this row names them within the course.
    """

    __tablename__ = "course_media"
    __table_args__ = (UniqueConstraint("course_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    # A video's length in seconds, read from its file (None when it cannot be read).
    duration: Mapped[float | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
