"""The database handle: one engine, read and write sessions, SQLite tuned for concurrency."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, Select, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

T = TypeVar("T")


class Database:
    """Holds the engine. ``read()`` for queries, ``write()`` for one unit of work.

    On SQLite (WAL), a write session starts with ``BEGIN IMMEDIATE`` so that two writers queue
    on the lock instead of failing when a read transaction is upgraded; reads never block.
    """

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        self.is_postgres = parsed.get_backend_name() == "postgresql"
        kwargs: dict[str, Any] = {"echo": echo}
        if self.is_sqlite:
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
            kwargs["pool_size"] = 16
            kwargs["max_overflow"] = 16
        else:
            kwargs["pool_size"] = 10
            kwargs["max_overflow"] = 20
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            _tune_sqlite(self.engine)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(
            self.engine.execution_options(mailplane_write=True), expire_on_commit=False
        )
        # SQLite has one writer at a time. Threads of this process queue on a lock, woken the
        # moment it is free, rather than in SQLite's busy handler, which sleeps 1, 2, 5, 10 …
        # milliseconds between tries. (Other processes still meet the busy handler.)
        self._write_lock = threading.RLock() if self.is_sqlite else nullcontext()

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back on an exception."""
        with self._write_lock, self._write() as session, session.begin():
            yield session

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A Core connection for reads that need no ORM objects."""
        with self.engine.connect() as connection:
            yield connection

    def exists(self, query: Select[Any]) -> bool:
        """Whether a query finds a row: a read, so that an idle worker takes no write lock."""
        with self.engine.connect() as connection:
            return connection.execute(query.limit(1)).first() is not None

    async def call(self, fn: Callable[[], T]) -> T:
        """Run a short database call from async code.

        SQLite reads are in-process and take microseconds: they run inline, sparing a thread
        hop. Anything over a network (PostgreSQL) runs in the thread pool.
        """
        if self.is_sqlite:
            return fn()
        return await run_in_threadpool(fn)

    def dispose(self) -> None:
        self.engine.dispose()


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("mailplane_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
