"""Shared fixtures: real databases, isolated per test run.

SQLite tests get a file in the test's temporary directory. PostgreSQL tests share one
database created for this run (``watchcube_test_<random>``), migrated once, emptied before
each test and dropped at the end. ``WATCHCUBE_TEST_PG`` overrides the server URL.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import redis
from sqlalchemy import text

from watchcube.store.db import Database, migrate, open_database
from watchcube.store.schema import metadata

REDIS_SERVER = os.environ.get("WATCHCUBE_TEST_REDIS", "redis://127.0.0.1:6379/0")
PG_SERVER = os.environ.get("WATCHCUBE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "takeout"


@pytest.fixture(scope="session")
def takeout_dir() -> Path:
    """The real Takeout exports beside the checkout (read-only, never copied)."""
    if not SHARED.is_dir():
        pytest.fail(f"real exports not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A PostgreSQL database of this test run, migrated, dropped afterwards."""
    name = f"watchcube_test_{secrets.token_hex(4)}"
    with psycopg.connect(PG_SERVER, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = PG_SERVER.rsplit("/", 1)[0] + f"/{name}"
    database = Database(url)
    migrate(database)
    database.dispose()
    yield url
    with psycopg.connect(PG_SERVER, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def empty_pg_url(pg_url: str) -> str:
    """This run's PostgreSQL database, emptied for the test."""
    database = Database(pg_url)
    with database.write() as conn:
        names = ", ".join(table.name for table in metadata.sorted_tables)
        conn.execute(text(f"TRUNCATE {names}"))
    database.dispose()
    return pg_url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on SQLite and on PostgreSQL (emptied first)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'watchcube.db'}"
    url: str = request.getfixturevalue("empty_pg_url")
    return url


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test alone on the machine's Redis, deleted afterwards."""
    prefix = f"wct{secrets.token_hex(4)}"
    yield prefix
    client = redis.Redis.from_url(REDIS_SERVER)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = open_database(database_url)
    yield database
    database.dispose()
