from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from lms.extensions import db


def insert_or_ignore(model: type, values: dict[str, Any], *, conflict: tuple[str, ...]) -> bool:
    """INSERT a row unless one with the same ``conflict`` columns exists.

    Atomic in the database (``ON CONFLICT DO NOTHING``), so two requests that
    race never both insert and never fail on the unique constraint. Returns
    whether this call inserted the row.
    """
    dialect = db.session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    statement = (
        insert(model).values(**values)
        .on_conflict_do_nothing(index_elements=list(conflict))
        .returning(getattr(model, conflict[0]))  # a row comes back only when this call inserted
    )
    return db.session.execute(statement).first() is not None
