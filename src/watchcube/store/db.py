"""Connecting to the database, and keeping its schema at the newest migration.

SQLite (the embedded default) is migrated automatically on first use; PostgreSQL is
migrated by ``watchcube migrate`` (an operator step) and refused while out of date.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import StaticPool

from watchcube import defaults
from watchcube.errors import ConfigError, StorageError

_MIGRATIONS = "watchcube.store:migrations"
# PostgreSQL advisory lock held while migrating, so replicas starting together take turns.
_MIGRATION_LOCK = 0x77636D67
# Key of a pooled SQLite connection's ``info``: callbacks run with the DB-API connection once
# it is back in the pool, its transaction over (to detach a file a transaction attached).
AFTER_TRANSACTION = "watchcube.after_transaction"


def normalize_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` as psycopg 3 URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Database:
    """One database: a SQLAlchemy engine plus the project's transaction conventions."""

    def __init__(self, url: str) -> None:
        self.url = normalize_url(url)
        try:
            parsed = make_url(self.url)
        except Exception as exc:
            raise ConfigError(f"not a database URL: {url!r}") from exc
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite:
            self.engine = _sqlite_engine(self.url, parsed.database)
        elif parsed.get_backend_name() == "postgresql":
            self.engine = create_engine(self.url, pool_pre_ping=True, pool_size=10)
        else:
            raise ConfigError(f"unsupported database {parsed.get_backend_name()!r}")
        self._writer = self.engine.execution_options(watchcube_write=True)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read transaction (a consistent snapshot on both backends)."""
        with _storage_errors(), self.engine.begin() as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction; on SQLite it takes the write lock up front (no upgrade deadlock)."""
        with _storage_errors(), self._writer.begin() as conn:
            yield conn

    @contextmanager
    def arrow(self) -> Iterator[Any]:
        """An ADBC cursor returning Arrow tables (bulk columnar reads; PostgreSQL only)."""
        import adbc_driver_postgresql.dbapi as postgres_adbc

        url = make_url(self.url).set(drivername="postgresql")
        with _storage_errors():
            connection = postgres_adbc.connect(url.render_as_string(hide_password=False))
            with connection, connection.cursor() as cursor:
                yield cursor

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


@contextmanager
def _storage_errors() -> Iterator[None]:
    try:
        yield
    except OperationalError as exc:
        raise StorageError(f"database unavailable: {exc.orig}") from exc


def _sqlite_engine(url: str, database: str | None) -> Engine:
    memory = database in (None, "", ":memory:")
    if not memory and database:
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    # Pooled: opening a SQLite connection (with its PRAGMAs) costs more than a cached read.
    # An in-memory database exists once per connection, so it gets exactly one, shared.
    pooling: dict[str, Any] = (
        {"poolclass": StaticPool} if memory else {"pool_size": 8, "max_overflow": 16}
    )
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **pooling)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Transactions are begun explicitly below (pysqlite's own handling defers BEGIN).
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        if not memory:
            cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
        # WAL + NORMAL survives any process crash; only an OS crash may lose the last commit.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB of pages: large imports, frames
        cursor.close()

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_conn: Any, record: Any) -> None:
        for callback in record.info.pop(AFTER_TRANSACTION, ()):
            if dbapi_conn is not None:
                callback(dbapi_conn)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("watchcube_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", _MIGRATIONS)
    return config


@cache
def head_revision() -> str:
    """The newest migration shipped with this version of watchcube."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(db: Database) -> str | None:
    """The migration the database is at (None: never migrated)."""
    with db.read() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migrate(db: Database) -> str:
    """Bring the schema to the newest migration; safe when several processes run it at once."""
    config = _alembic_config()
    with db.write() as conn:
        if not db.is_sqlite:
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    return head_revision()


def open_database(url: str | None = None) -> Database:
    """Connect; migrate SQLite on first use; refuse a PostgreSQL schema that is out of date."""
    db = Database(url or defaults.DATABASE_URL)
    revision = current_revision(db)
    if revision != head_revision():
        if db.is_sqlite:
            migrate(db)
        else:
            db.dispose()
            raise StorageError(
                f"database schema is at {revision or 'nothing'}, this watchcube needs "
                f"{head_revision()}: run `watchcube migrate`"
            )
    return db
