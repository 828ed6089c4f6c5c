"""The only code that opens the warehouse: read-only, reopened when a new one is published, a time limit per query.

The ETL publishes by swapping a symlink (`data/warehouse/mckpi.duckdb -> builds/<run_id>.duckdb`). A `Warehouse`
keeps one read-only DuckDB connection to the file the symlink pointed at when it was opened, and reopens it when
the published file changes (inode, size or modification time of the symlink's target). Every query runs on its
own cursor (DuckDB cursors are safe to use from one thread each), with a watchdog that interrupts it after
`timeout_s` seconds. No streamlit import: the CLI and reports use this module too.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

DEFAULT_TIMEOUT_S = 10.0
MEMORY_LIMIT = re.compile(r"[0-9]+(\.[0-9]+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.IGNORECASE)


class WarehouseMissing(FileNotFoundError):
    """No published warehouse at the configured path."""


class QueryTimeout(TimeoutError):
    """A query ran longer than the warehouse's time limit and was interrupted."""


@dataclass(frozen=True)
class _FileVersion:
    inode: int
    size: int
    mtime_ns: int


def _version(path: Path) -> _FileVersion:
    st = os.stat(path)  # follows the symlink: the published build's inode, size and mtime
    return _FileVersion(st.st_ino, st.st_size, st.st_mtime_ns)


def fetch_arrow(cursor: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any] | None = None) -> pa.Table:
    """Run one SELECT with bound parameters and return its rows as a pyarrow Table."""
    bound = dict(params) if params else None
    relation = cursor.sql(sql, params=bound)
    if hasattr(relation, "to_arrow_table"):  # DuckDB 2.x
        return relation.to_arrow_table()
    return relation.fetch_arrow_table()  # DuckDB 1.x


class Warehouse:
    """A published warehouse file, opened read-only on first use and reopened when the ETL publishes a new one."""

    def __init__(
        self, path: Path | str, *, timeout_s: float = DEFAULT_TIMEOUT_S, memory_limit: str | None = None
    ) -> None:
        """memory_limit: DuckDB's memory for the database this handle opens (e.g. "512MB"; None: DuckDB's default,
        80 % of the machine); see `_limit_memory`."""
        self.path = Path(path)
        self.timeout_s = timeout_s
        self.memory_limit = memory_limit
        self._lock = threading.RLock()  # re-entered by `cursor` around `connect`
        self._con: duckdb.DuckDBPyConnection | None = None
        self._version: _FileVersion | None = None
        self._opened_path: Path | None = None
        # The connection replaced by the last reopen while queries were still running on it: closed when the last
        # of them ends (or at the next reopen), so they can finish. A replaced connection with none running is
        # closed at once: each open database holds its own cache of pages (at 10M enrolments the server's RSS
        # was 1.8 GB with two open after a publish, against 1 GB with one).
        self._previous: duckdb.DuckDBPyConnection | None = None
        self._running: dict[int, int] = {}  # id(connection) -> cursors open on it (see `cursor`)
        # The ETL run id of the file opened (a published file is never rewritten: its run id is asked once per
        # file version, not at the start of every dashboard rerun).
        self._run_id: tuple[_FileVersion, str | None] | None = None

    def __repr__(self) -> str:
        return f"Warehouse({str(self.path)!r})"

    def exists(self) -> bool:
        return self.path.exists()

    def _missing(self) -> WarehouseMissing:
        return WarehouseMissing(
            f"No warehouse at {self.path}: run `mckpi etl` to build one (or `make run` for the demo data)."
        )

    def connect(self) -> duckdb.DuckDBPyConnection:
        """The read-only connection to the currently published warehouse (reopened if a new one was published)."""
        try:
            version = _version(self.path)
        except FileNotFoundError:
            raise self._missing() from None
        with self._lock:
            if self._con is None or version != self._version:
                target = Path(os.path.realpath(self.path))
                if target == self._opened_path:
                    # The same file rewritten in place (not how the ETL publishes): DuckDB would hand back the
                    # cached database while a connection to it is open, so close ours first.
                    self._close_all()
                try:
                    con = duckdb.connect(str(target), read_only=True)
                    try:
                        self._limit_memory(con, target)
                    except (ValueError, duckdb.Error):
                        con.close()
                        raise
                    # Stat the file we actually opened: the symlink may have been swapped in between.
                    version = _version(target)
                except (FileNotFoundError, duckdb.IOException) as exc:
                    if not self.path.exists():
                        raise self._missing() from exc
                    raise
                if self._previous is not None:
                    self._previous.close()
                self._previous = None
                if self._con is not None:
                    if self._running.get(id(self._con)):
                        self._previous = self._con
                    else:
                        self._con.close()
                self._con, self._version, self._opened_path = con, version, target
            return self._con

    @contextlib.contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor on the currently published warehouse, for several statements that must see one file (an
        export); its connection stays open until the cursor is closed, even if a new warehouse is published."""
        with self._lock:  # no reopen between opening and counting: it would close the connection under us
            con = self.connect()
            self._running[id(con)] = self._running.get(id(con), 0) + 1
            cursor = con.cursor()
        try:
            yield cursor
        finally:
            cursor.close()
            with self._lock:
                left = self._running.get(id(con), 1) - 1
                if left:
                    self._running[id(con)] = left
                else:
                    self._running.pop(id(con), None)
                    if con is self._previous:
                        con.close()
                        self._previous = None

    def _limit_memory(self, con: duckdb.DuckDBPyConnection, target: Path) -> None:
        """Cap the database's memory (SET, not a connect option: every connection to one file in a process must
        open it with the same options, and the tests and other readers open it without). A query that needs more
        spills to a folder of this process's own per build file: never beside the warehouse, where DuckDB's
        default for a read-only file is `<build>.tmp` in the ETL's builds folder, and never one folder for two
        databases (an old build still answering a query beside the new one)."""
        if not self.memory_limit:
            return
        if not MEMORY_LIMIT.fullmatch(self.memory_limit):
            raise ValueError(f"memory_limit {self.memory_limit!r}: expected a size like 512MB or 2GB")
        folder = Path(tempfile.gettempdir()) / f"mckpi-read-spill-{os.getpid()}" / target.name
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        quoted = str(folder).replace("'", "''")
        con.execute(f"set memory_limit = '{self.memory_limit}'").fetchall()  # fetched: DuckDB 2 wants a result
        con.execute(f"set temp_directory = '{quoted}'").fetchall()  # finished before the connection's next use

    def _close_all(self) -> None:
        for con in (self._previous, self._con):
            if con is not None:
                con.close()
        self._con = self._previous = None
        self._version = self._opened_path = None
        self._running.clear()

    def close(self) -> None:
        with self._lock:
            self._close_all()

    def query(self, sql: str, params: Mapping[str, Any] | None = None, *, timeout_s: float | None = None) -> pa.Table:
        """Run one statement with bound parameters on a fresh cursor; interrupt it after the time limit."""
        limit = self.timeout_s if timeout_s is None else timeout_s
        with self.cursor() as cursor:
            timed_out = threading.Event()

            def interrupt() -> None:
                timed_out.set()
                cursor.interrupt()

            watchdog = threading.Timer(limit, interrupt)
            watchdog.daemon = True
            watchdog.start()
            try:
                return fetch_arrow(cursor, sql, params)
            except duckdb.InterruptException as exc:
                raise QueryTimeout(f"query stopped after the {limit:g} s time limit") from exc
            except duckdb.Error as exc:
                if timed_out.is_set():
                    raise QueryTimeout(f"query stopped after the {limit:g} s time limit") from exc
                raise
            finally:
                watchdog.cancel()

    def info(self) -> dict[str, str]:
        """warehouse_info as a dict (etl_run_id, published_at, schema_version, is_demo, ...) plus the file opened."""
        table = self.query("select key, value from warehouse_info")
        info = dict(zip(table.column("key").to_pylist(), table.column("value").to_pylist(), strict=True))
        info["path"] = str(self.path)
        info["file"] = str(self._opened_path)
        return info

    def etl_run_id(self) -> str | None:
        """The ETL run that built the published warehouse: the cache key for results. Asked of the file once per
        version of it (a new publish, or the file changed in place, asks again)."""
        self.connect()  # reopens on a newly published file
        version, known = self._version, self._run_id
        if known is not None and version is not None and known[0] == version:
            return known[1]
        table = self.query("select value from warehouse_info where key = 'etl_run_id'")
        values = table.column("value").to_pylist()
        run_id = values[0] if values else None
        if version is not None:
            self._run_id = (version, run_id)
        return run_id
