"""Helpers the tests share (fixtures live in conftest.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text


@contextmanager
def scratch_database(database_url: str, purpose: str) -> Iterator[str]:
    """An empty database of its own for a test that runs migrations (a fresh SQLite file is
    empty already; on PostgreSQL a database is made for it and dropped after)."""
    if not database_url.startswith("postgresql"):
        yield database_url
        return
    name = f"nordlearn_{purpose}_{os.getpid()}"
    server = database_url.rsplit("/", 1)[0]
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield f"{server}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()
