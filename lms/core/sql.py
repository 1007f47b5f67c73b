from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from lms.extensions import db


def insert_or_ignore(model: type, values: dict[str, Any], *, conflict: tuple[str, ...]) -> None:
    """INSERT a row unless one with the same ``conflict`` columns exists.

    Atomic in the database (``ON CONFLICT DO NOTHING``), so two requests that
    race never both insert and never fail on the unique constraint.
    """
    dialect = db.session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    db.session.execute(insert(model).values(**values).on_conflict_do_nothing(index_elements=list(conflict)))
