"""Property tests of the loader: generated rows for payments, enrolments and courses, each field either a valid
value or arbitrary text, numbers, dates and times (written as a well-formed CSV, so any text may hold commas,
quotes and line breaks). Whatever the rows:

- every row either loads or is quarantined with a non-empty reason and column;
- rows_read = the rows written, and rows_loaded + quarantined distinct lines = rows_read (nothing dropped, nothing
  counted twice); the raw table holds exactly rows_loaded rows of the file;
- a quarantined row's line points at the row that was written there (records with line breaks count as one line),
  and the value quoted is that row's value;
- the loaded rows' natural keys are unique.

NUL characters and lone surrogates are left out of the generated text: a CSV export cannot hold them (the
bad-input corpus covers NUL bytes).
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.config import load_settings
from core.contracts import CONTRACTS, Column, Contract
from core.published import published_target
from etl.load import load_landing
from etl.row_checks import typed_name

SETTINGS = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Values the template warehouse knows (references resolve to them).
KNOWN = {
    "ptj.ptj_code": ["FSKTM", "APM"],
    "staff.staff_id": ["S0001", "S0002"],
    "courses.course_code": ["MC-FSKTM-001", "MOOC-APM-002"],
    "course_runs.run_id": ["MC-FSKTM-001-2024-1", "MOOC-APM-002-2024-1"],
}

TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=24)
NUMBERISH = st.one_of(
    st.integers(-(10**20), 10**20).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["RM 650.00", "1,200.00", "650,00", " 650.00 ", "+5", "0", "-0.00", "1e3", "650.", ".5"]),
)
DATEISH = st.one_of(
    st.dates().map(str),
    st.datetimes().map(lambda d: d.isoformat(sep=" ", timespec="seconds")),
    st.datetimes().map(lambda d: d.isoformat(timespec="seconds") + "+08:00"),
    st.datetimes().map(lambda d: d.strftime("%d/%m/%Y %H:%M")),
    st.datetimes().map(lambda d: d.isoformat(sep=" ", timespec="seconds") + " UTC"),
    st.sampled_from(
        ["2024-02-30", "2024-02-30 10:00:00", "2024-13-01 00:00:00", "0000-01-01", "9999-12-31 23:59:59"]
    ),
)


def valid_value(column: Column) -> st.SearchStrategy[str]:
    if column.allowed:
        return st.sampled_from(column.allowed)
    if column.references:
        return st.sampled_from(KNOWN[column.references])
    lo = column.min if column.min is not None else 0
    hi = column.max if column.max is not None else 100000
    if column.type == "int":
        return st.integers(int(lo), int(hi)).map(str)
    if column.type == "decimal":
        return st.decimals(Decimal(str(lo)), Decimal(str(hi)), places=2).map(lambda d: f"{d:.2f}")
    if column.type == "date":
        return st.dates(date(2020, 1, 1), date(2030, 12, 31)).map(str)
    if column.type == "timestamp":
        return st.datetimes(datetime(2020, 1, 1), datetime(2030, 12, 31)).map(
            lambda d: d.strftime("%Y-%m-%d %H:%M:%S")
        )
    return TEXT.filter(lambda s: s.strip() != "")


def coherent_course(row: list[str], n: int) -> list[str]:
    """A course row that also meets the contract's row rules (online share by delivery mode, MC hours)."""
    header = CONTRACTS["courses"].header
    share = {"conventional": n % 30, "blended": 30 + n % 31, "odl": 60 + n % 41}[
        row[header.index("delivery_mode")]
    ]
    row[header.index("online_share_pct")] = str(share)
    row[header.index("slt_hours")] = str(4 + n % 157)
    return row


ARBITRARY = st.one_of(TEXT, NUMBERISH, DATEISH, st.just(""), st.just(" "))


def rows_strategy(contract: Contract) -> st.SearchStrategy[list[list[str]]]:
    """Rows of valid values with none to all of their fields replaced by anything (so that rows load, rows fail
    one check, and rows fail many)."""
    columns = contract.columns

    def mutate(args: tuple[list[str], list[tuple[int, str]]]) -> list[str]:
        row, changes = args
        for i, value in changes:
            row[i] = value
        return row

    valid = st.tuples(*(valid_value(c) for c in columns)).map(list)
    if contract.name == "courses":
        valid = st.tuples(valid, st.integers(0, 1000)).map(lambda t: coherent_course(*t))
    changes = st.lists(st.tuples(st.integers(0, len(columns) - 1), ARBITRARY), max_size=len(columns))
    few_changes = st.lists(st.tuples(st.integers(0, len(columns) - 1), ARBITRARY), max_size=1)
    row = st.one_of(st.tuples(valid, few_changes), st.tuples(valid, changes)).map(mutate)
    return st.lists(row, max_size=8)


@pytest.fixture(scope="module")
def base_db(template_env_source) -> Path:
    """The template warehouse (reference data loaded) as the starting point of every example."""
    return published_target(template_env_source.warehouse)  # type: ignore[return-value]


def load_generated(base: Path, contract: Contract, rows: list[list[str]]):
    key = load_settings().pseudonym_key()
    with tempfile.TemporaryDirectory(prefix="mckpi-prop-") as tmp:
        root = Path(tmp)
        db = root / "w.duckdb"
        shutil.copyfile(base, db)
        landing = root / "landing"
        rel = f"{contract.folder}/generated.csv"
        (landing / contract.folder).mkdir(parents=True)
        with (landing / rel).open("w", newline="", encoding="utf-8") as fh:
            # CRLF as spreadsheets write it; with "\n" Python's csv module would leave a lone "\r" unquoted.
            writer = csv.writer(fh, lineterminator="\r\n")
            writer.writerow(contract.header)
            writer.writerows(rows)
        con = duckdb.connect(str(db))
        try:
            results = load_landing(con, landing, "property-run", key)
            result = next(r for r in results if r.rel == rel)
            quarantine = con.execute(
                "select line, column_name, value, reason from quarantine where file_id = $id order by line",
                {"id": result.file_id},
            ).fetchall()
            in_raw = con.execute(
                f'select count(*) from "{contract.raw_table}" where _file_id = $id',  # noqa: S608 - contract name
                {"id": result.file_id},
            ).fetchone()[0]  # type: ignore[index]
            key_cols = ", ".join(f'"{typed_name(contract.column(k))}"' for k in contract.natural_key)
            dup_keys = con.execute(
                f'select count(*) from (select {key_cols} from "{contract.raw_table}"'  # noqa: S608 - contract names
                f" group by all having count(*) > 1)"
            ).fetchone()[0]  # type: ignore[index]
        finally:
            con.close()
    return result, quarantine, in_raw, dup_keys


def check(contract: Contract, base: Path, rows: list[list[str]]) -> None:
    result, quarantine, in_raw, dup_keys = load_generated(base, contract, rows)
    assert result.status == "loaded", result
    assert result.rows_read == len(rows)
    lines = {line for line, *_ in quarantine}
    assert result.rows_quarantined == len(lines) == len(quarantine)
    assert result.rows_loaded + len(lines) == result.rows_read
    assert in_raw == result.rows_loaded
    assert dup_keys == 0
    for line, column, value, reason in quarantine:
        assert reason and reason.strip() and column, (line, column, value, reason)
        assert 2 <= line <= len(rows) + 1
        written = rows[line - 2]
        if (
            column in contract.header
            and not contract.column(column).pseudonymise
            and not reason.startswith("refund")
        ):
            original = written[contract.header.index(column)].strip(" ")
            assert value == (original or None), (line, column, value, reason, written)


@SETTINGS
@given(rows=rows_strategy(CONTRACTS["payments"]))
def test_payments_rows_load_or_are_quarantined(base_db, rows):
    check(CONTRACTS["payments"], base_db, rows)


@SETTINGS
@given(rows=rows_strategy(CONTRACTS["enrolments"]))
def test_enrolments_rows_load_or_are_quarantined(base_db, rows):
    check(CONTRACTS["enrolments"], base_db, rows)


@SETTINGS
@given(rows=rows_strategy(CONTRACTS["courses"]))
def test_courses_rows_load_or_are_quarantined(base_db, rows):
    check(CONTRACTS["courses"], base_db, rows)
