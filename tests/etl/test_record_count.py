"""hash_file's independent record count (etl.file_checks._RecordCounter) against DuckDB's own reading, and the
checks built on it: a file never loads a row short, and a file cut inside its last value is reported."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import duckdb
import pytest

from etl.file_checks import _RecordCounter, hash_file

OPTIONS = (
    "columns = {'a': 'VARCHAR', 'b': 'VARCHAR', 'c': 'VARCHAR'}, header = true, auto_detect = false, delim = ',',"
    " quote = '\"', escape = '\"', strict_mode = true, null_padding = false, ignore_errors = false"
)


def duckdb_rows(path: Path) -> int:
    with duckdb.connect() as con:
        return con.execute(f"select count(*) from read_csv($p, {OPTIONS})", {"p": str(path)}).fetchone()[0]  # type: ignore[index]  # noqa: S608


def count(data: bytes, chunk: int) -> _RecordCounter:
    counter = _RecordCounter()
    for i in range(0, len(data), chunk):
        counter.feed(data[i : i + chunk])
    return counter


@pytest.mark.parametrize(
    ("data", "records", "unterminated"),
    [
        (b"a,b,c\n1,2,3\n", 2, None),
        (b"a,b,c\n1,2,3", 2, 2),  # no final line break: the last line may be cut
        (b"a,b,c\r\n1,2,3\r\n\r\n4,5,6\r\n", 3, None),  # an empty line is not a record (DuckDB skips it)
        (b"a,b,c\r1,2,3\r4,5,6\r", 3, None),  # old Mac line ends
        (b'a,b,c\n1,"two\nlines\n\n",3\n4,5,6\n\n\n', 3, None),  # line breaks inside quotes are not records
        (b'a,b,c\n1,"say ""hi""",3\n"x\r\ny",5,"6"', 3, 3),
        (b"a,b,c\n", 1, None),
        (b'a,b,c\n1,15" screen,3\n4,5" x,6\n', 3, None),  # a quote inside an unquoted value is a character
        (b'a,b,c\n1, "x\ny",3\n4,5,6\n', 3, None),  # a quoted value after spaces
    ],
)
def test_record_count_by_hand(data: bytes, records: int, unterminated: int | None) -> None:
    for chunk in (1, 2, 5, len(data)):  # a quote, \r\n or an empty line split across chunks counts the same
        counter = count(data, chunk)
        assert (counter.records, counter.unterminated_line) == (records, unterminated), chunk


def test_record_count_agrees_with_duckdb(tmp_path: Path) -> None:
    """Random small files of quoted values, embedded line breaks, escaped quotes, quotes inside unquoted values,
    empty lines and all three line ends: the count equals DuckDB's rows + the header for every file, whatever the chunk size."""
    rng = random.Random(12)
    values = ["x", "", '"q"', '"a,b"', '"l1\nl2"', '"l1\r\nl2"', '"x""y"', '"\n\n"', '""', '"""a\n"""', "yy",
              '15" tv', 'a"b"c', ' "s\np"', '""""', '"a""\n""b"']
    path = tmp_path / "f.csv"
    for _ in range(300):
        eol = rng.choice(["\n", "\r\n", "\r"])
        lines = ["a,b,c"] + [
            "" if rng.random() < 0.15 else ",".join(rng.choice(values) for _ in range(3))
            for _ in range(rng.randint(0, 8))
        ]
        data = (eol.join(lines) + eol * rng.randint(0, 2)).encode()
        path.write_bytes(data)
        rows = duckdb_rows(path)
        for chunk in (1, 3, 64, 1 << 20):
            assert count(data, chunk).records == rows + 1, (data, chunk)


def test_hash_file_counts_plain_and_gzip(tmp_path: Path) -> None:
    data = b'a,b,c\n1,"x\ny",3\n' + b"4,5,6\n" * 70_000 + b"7,8,9"  # more than one 1 MB read
    plain = tmp_path / "p.csv"
    plain.write_bytes(data)
    packed = tmp_path / "p.csv.gz"
    packed.write_bytes(gzip.compress(data))
    for path in (plain, packed):
        facts = hash_file(path, path.name)
        assert (facts.records, facts.unterminated_line) == (70_003, 70_003)
    assert duckdb_rows(plain) == 70_002


def test_a_file_loaded_before_is_only_hashed_and_a_new_one_counted(tmp_path: Path) -> None:
    # Issue 16: an incremental run over a landing folder that still holds every earlier file hashed 8 GB and
    # counted its records (40 s at 10M) to skip them all.
    data = b"a,b,c\n" + b"4,5,6\n" * 70_000
    path = tmp_path / "p.csv"
    path.write_bytes(data)
    full = hash_file(path, path.name)
    assert (full.records, full.quick) == (70_001, False)
    again = hash_file(path, path.name, known=frozenset({full.sha256}))
    assert (again.sha256, again.bytes, again.records, again.quick) == (full.sha256, full.bytes, None, True)
    # Same path and size but other bytes (a corrected export): the full facts, counted.
    path.write_bytes(data.replace(b"4,5,6", b"4,5,7"))
    changed = hash_file(path, path.name, known=frozenset({full.sha256}))
    assert (changed.records, changed.quick) == (70_001, False) and changed.sha256 != full.sha256
