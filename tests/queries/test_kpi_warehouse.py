"""read/warehouse.py: read-only, reopened when a new warehouse is published, a time limit per query."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import duckdb
import pytest

from read.warehouse import QueryTimeout, Warehouse, WarehouseMissing


def _build(path: Path, run_id: str, rows: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute("create table warehouse_info (key varchar, value varchar)")
    con.execute("insert into warehouse_info values ('etl_run_id', $r), ('schema_version', '1')", {"r": run_id})
    con.execute("create table numbers as select range as n from range($rows)", {"rows": rows})
    con.close()
    return path


def _publish(published: Path, target: Path) -> None:
    """Swap the symlink atomically, as the ETL does."""
    tmp = published.with_name(published.name + ".new")
    os.symlink(os.path.relpath(target, published.parent), tmp)
    os.replace(tmp, published)


@pytest.fixture()
def published(tmp_path: Path) -> Path:
    first = _build(tmp_path / "builds" / "run-1.duckdb", "run-1", 3)
    link = tmp_path / "mckpi.duckdb"
    _publish(link, first)
    return link


def test_missing_warehouse_is_a_clear_error(tmp_path):
    wh = Warehouse(tmp_path / "nowhere" / "mckpi.duckdb")
    assert not wh.exists()
    with pytest.raises(WarehouseMissing, match="No warehouse at .*mckpi etl"):
        wh.connect()
    with pytest.raises(FileNotFoundError):  # WarehouseMissing is a FileNotFoundError
        wh.query("select 1")


def test_dangling_symlink_is_missing(tmp_path):
    link = tmp_path / "mckpi.duckdb"
    os.symlink(tmp_path / "builds" / "gone.duckdb", link)
    with pytest.raises(WarehouseMissing):
        Warehouse(link).etl_run_id()


def test_read_only(published):
    wh = Warehouse(published)
    with pytest.raises(duckdb.Error, match="(?i)read.only"):
        wh.query("create table sneaky (i int)")
    with pytest.raises(duckdb.Error, match="(?i)read.only"):
        wh.query("delete from numbers")
    assert wh.query("select count(*) as n from numbers").column("n").to_pylist() == [3]
    wh.close()


def test_info_and_run_id(published):
    wh = Warehouse(published)
    assert wh.etl_run_id() == "run-1"
    info = wh.info()
    assert info["etl_run_id"] == "run-1" and info["schema_version"] == "1"
    assert info["file"].endswith("run-1.duckdb")
    wh.close()


def test_query_binds_params(published):
    wh = Warehouse(published)
    table = wh.query("select n from numbers where n >= $low order by n", {"low": 1})
    assert table.column("n").to_pylist() == [1, 2]
    # A value that looks like SQL is just a value.
    assert wh.query("select count(*) as c from numbers where $v = 'x'", {"v": "x' or 1=1 --"}).column(
        "c").to_pylist() == [0]
    wh.close()


def test_reopens_when_a_new_warehouse_is_published(published, tmp_path):
    wh = Warehouse(published)
    con = wh.connect()
    assert wh.connect() is con  # unchanged: the same connection
    assert wh.etl_run_id() == "run-1"

    second = _build(tmp_path / "builds" / "run-2.duckdb", "run-2", 5)
    _publish(published, second)
    assert wh.etl_run_id() == "run-2"
    assert wh.query("select count(*) as n from numbers").column("n").to_pylist() == [5]
    assert wh.connect() is not con

    # A third publish: the first connection (kept one generation for queries still running) is now closed.
    third = _build(tmp_path / "builds" / "run-3.duckdb", "run-3", 7)
    _publish(published, third)
    assert wh.etl_run_id() == "run-3"
    with pytest.raises(duckdb.Error):
        con.execute("select 1")
    wh.close()


def test_a_replaced_connection_closes_when_its_last_query_ends(published, tmp_path):
    # Issue 16: two open databases after a publish held 1.8 GB in the 10M server. One with nothing running on it
    # closes at the swap; one with a cursor open (an export) stays usable until that cursor is closed.
    wh = Warehouse(published)
    first = wh.connect()
    _publish(published, _build(tmp_path / "builds" / "run-2.duckdb", "run-2", 5))
    assert wh.etl_run_id() == "run-2"
    with pytest.raises(duckdb.Error):
        first.execute("select 1")  # nothing was running on it: closed at once

    with wh.cursor() as exporting:
        _publish(published, _build(tmp_path / "builds" / "run-3.duckdb", "run-3", 7))
        assert wh.etl_run_id() == "run-3"
        # Still the run-2 file for the cursor opened before the publish, to its end.
        assert exporting.execute("select count(*) from numbers").fetchone() == (5,)
        second = wh._previous
        assert second is not None
    with pytest.raises(duckdb.Error):
        second.execute("select 1")  # closed with its last cursor
    assert wh._previous is None
    assert wh.query("select count(*) as n from numbers").column("n").to_pylist() == [7]
    wh.close()


def test_time_limit_interrupts_a_long_query(published):
    wh = Warehouse(published, timeout_s=0.3)
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="0.3 s"):
        wh.query("select sum(a.range * b.range) as s from range(100000000) a, range(100000) b")
    assert time.monotonic() - started < 5
    # The warehouse is still usable afterwards, and short queries are not affected.
    assert wh.query("select count(*) as n from numbers").column("n").to_pylist() == [3]
    assert wh.query("select 1 as one", timeout_s=5).column("one").to_pylist() == [1]
    wh.close()


def test_queries_from_many_threads(published):
    wh = Warehouse(published)
    results, errors = [], []

    def work(i: int) -> None:
        try:
            for _ in range(20):
                results.append(wh.query("select count(*) + $i as n from numbers", {"i": i}).column("n")[0].as_py())
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(set(results)) == [3 + i for i in range(8)]
    wh.close()


def test_hand_warehouse_is_published_by_the_etl(hand_warehouse, hand_warehouse_path):
    assert hand_warehouse_path.is_symlink()  # builds/<run_id>.duckdb behind it
    run_id = hand_warehouse.etl_run_id()
    assert run_id and Path(os.path.realpath(hand_warehouse_path)).stem == run_id
    assert hand_warehouse.info()["is_demo"] == "false"


def test_reopens_a_file_replaced_at_the_same_path(tmp_path):
    """Published without a symlink (a file moved over the old one): same path, new file."""
    path = _build(tmp_path / "plain.duckdb", "run-1", 3)
    wh = Warehouse(path)
    assert wh.etl_run_id() == "run-1"
    os.replace(_build(tmp_path / "incoming.duckdb", "run-2", 4), path)
    assert wh.etl_run_id() == "run-2"
    assert wh.query("select count(*) as n from numbers").column("n").to_pylist() == [4]
    wh.close()


def test_a_memory_limit_spills_to_a_folder_of_its_own(published, tmp_path):
    # Issue 16: the dashboard's handle caps DuckDB's memory ([dashboard] memory_limit); DuckDB's default spill
    # folder for a read-only file would be `<build>.tmp` in the ETL's builds folder.
    wh = Warehouse(published, memory_limit="64MB")
    con = wh.connect()
    limit, temp = con.execute("select current_setting('memory_limit'), current_setting('temp_directory')").fetchone()
    assert limit == "61.0 MiB"  # 64 MB as DuckDB prints it
    assert Path(temp).is_dir() and Path(temp).name == os.path.basename(os.path.realpath(published))
    assert Path(os.path.realpath(published)).parent not in Path(temp).parents
    # A query that needs more than the limit still answers (it spills).
    total = wh.query("select count(distinct r) as n from (select range::varchar || 'x' as r from range(3000000))")
    assert total.column("n").to_pylist() == [3_000_000]
    # Another reader of the same file in this process (a test, a report) opens it without options: no conflict.
    with duckdb.connect(str(published), read_only=True) as other:
        assert other.execute("select count(*) from numbers").fetchone() == (3,)
    wh.close()
    with pytest.raises(ValueError, match="512MB"):
        Warehouse(published, memory_limit="lots").connect()
