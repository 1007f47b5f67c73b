from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.catalog.models import ModuleRevision
from lms.core.types import UTCDateTime
from lms.extensions import db


class Attempt(db.Model):
    """One attempt at a module's questions (or at a final test's drawn questions). Kept for good:
    the revision it was scored against, the questions shown, the answers given, the points of
    each question and the score. Nothing here changes once submitted; a later text of the module
    never re-scores it."""

    __tablename__ = "attempts"
    # Attempt n of a learner at a module exists once: two submissions racing for the same number
    # (a replay, a double click) cannot both be kept, so an attempt limit holds.
    __table_args__ = (UniqueConstraint("user_id", "module_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="RESTRICT"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("module_revisions.id", ondelete="RESTRICT"))
    number: Mapped[int]
    # JSON [[question key, [option numbers in the order shown]], …]
    questions: Mapped[str] = mapped_column(Text)
    # JSON {question key: [option numbers] or the number written}; None until submitted
    answers: Mapped[str | None] = mapped_column(Text)
    # JSON {question key: points from 0 to 1}
    points: Mapped[str | None] = mapped_column(Text)
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 4))
    pass_mark: Mapped[int]
    passed: Mapped[bool | None] = mapped_column()
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    revision: Mapped[ModuleRevision] = relationship()
