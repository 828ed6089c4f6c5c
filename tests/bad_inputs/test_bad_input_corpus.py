"""The bad-input corpus (cases.py, files/): each case is dropped into a copy of one published landing, next to
good files of other sources ("companions"), and the ETL (real models and checks) must give the case's outcome:

- file-level problem: SourceFileError naming the file (and line/column where there is one); the published
  warehouse is unchanged (same symlink target, same figures), no build or lock is left behind, the failure is in
  the run log; after removing the bad file the next run succeeds and loads the companions;
- row-level problem: the run succeeds; exactly the listed rows are quarantined with their reason, the rest of the
  file loads (rows_read = rows_loaded + rows_quarantined), and the companions load in the same run;
- ignored: recorded as ignored with a warning, the companions load.

One base landing and its published warehouse are built once per module and copied per case.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

import pytest

from core.config import load_settings
from core.contracts import CONTRACTS
from core.errors import SourceFileError
from etl.load import run_etl

HERE = Path(__file__).resolve().parent
NO_MODELS = HERE / "files" / ".no-models"  # a folder without staging/, marts/ or checks/ SQL files


def _load_cases():
    spec = importlib.util.spec_from_file_location("mckpi_bad_input_cases", HERE / "cases.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[spec.name] = module  # type: ignore[union-attr]  # dataclasses look their module up
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


cases = _load_cases()

RUN2 = "MOOC-APM-002-2024-1"
COMPANIONS = {
    "payments/companion_payments.csv": (
        CONTRACTS["payments"].header,
        [
            ["R2024-900001", "ext-c1", RUN2, "certificate", "89.00", "2024-09-20 10:00:00", "APM"],
            ["R2024-900002", "ext-c2", RUN2, "certificate", "89.00", "2024-09-21 10:00:00", "APM"],
        ],
    ),
    "enrolments/companion_enrolments.csv": (
        CONTRACTS["enrolments"].header,
        [
            [
                RUN2,
                "ext-c1",
                "2024-08-20 10:00:00",
                "",
                "external",
                "SG",
                "26-35",
                "working_full_time",
                "female",
            ],
            [RUN2, "ext-c2", "2024-08-21 10:00:00", "", "external", "MY", "36-45", "", "male"],
        ],
    ),
}

FIGURES = (
    "select value from warehouse_info where key = 'etl_run_id'",
    *(f"select count(*) from raw_{name}" for name in CONTRACTS),  # noqa: S608 - contract names
    "select sum(amount_rm) from raw_payments",
    "select count(*) from fct_enrolment",
    "select count(*) from fct_payment",
    "select count(*) from dim_course",
    "select count(*) from quarantine",
    "select count(*) from etl_files",
)


class Env:
    def __init__(self, root: Path) -> None:
        self.landing = root / "landing"
        self.warehouse = root / "warehouse" / "mckpi.duckdb"
        self.settings = load_settings().with_paths(landing=self.landing, warehouse=self.warehouse)

    def run(self, marts: bool = True):
        """marts=False: load only (no model or check files), which is what most cases are about and 4x faster;
        the marts of the copied warehouse then stay as they were."""
        if marts:
            return run_etl(self.settings, self.landing, self.warehouse)
        return run_etl(
            self.settings, self.landing, self.warehouse, models_dir=NO_MODELS, checks_dir=NO_MODELS
        )

    def query(self, sql: str, params: dict | None = None) -> list[tuple]:
        import duckdb

        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql, params or {}).fetchall()

    def scalar(self, sql: str, params: dict | None = None):
        return self.query(sql, params)[0][0]

    def figures(self) -> tuple:
        import duckdb

        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            values = tuple(con.execute(sql).fetchone()[0] for sql in FIGURES)  # type: ignore[index]
        return (str(self.warehouse.readlink()), *values)

    def files(self) -> set[str]:
        return {p.relative_to(self.landing).as_posix() for p in self.landing.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def corpus_base(tmp_path_factory: pytest.TempPathFactory, template_env_source) -> Env:
    """The contract templates as a landing folder (tests/conftest.py), published once with the real models and
    checks."""
    env = Env(tmp_path_factory.mktemp("bad_input_base"))
    shutil.copytree(template_env_source.landing, env.landing)
    env.run()
    return env


@pytest.fixture
def case_env(corpus_base: Env, tmp_path: Path, csv_writer) -> Env:
    env = Env(tmp_path)
    shutil.copytree(corpus_base.landing, env.landing)
    shutil.copytree(corpus_base.warehouse.parent, env.warehouse.parent, symlinks=True)
    for rel, (header, rows) in COMPANIONS.items():
        csv_writer(env.landing / rel, header, rows)
    return env


def assert_companions_loaded(env: Env, result, marts: bool) -> None:
    """The good files of the same landing loaded in `result` (and reached the marts when they were built)."""
    loaded = {f.rel: (f.status, f.rows_loaded, f.rows_quarantined) for f in result.files}
    for rel in COMPANIONS:
        assert loaded[rel] == ("loaded", 2, 0), rel
    payments = "fct_payment" if marts else "raw_payments"
    assert (
        env.scalar(f"select count(*) from {payments} where receipt_id in ('R2024-900001', 'R2024-900002')")  # noqa: S608
        == 2
    )
    assert (
        env.scalar(
            "select count(*) from raw_enrolments e join etl_files f on f.file_id = e._file_id"
            " where f.path = 'enrolments/companion_enrolments.csv'"
        )
        == 2
    )
    assert env.scalar("select value from warehouse_info where key = 'etl_run_id'") == result.run_id


def _params():
    for case in cases.CASES:
        marks = [pytest.mark.xfail(strict=True, reason=f"known bug: {case.bug}")] if case.bug else []
        yield pytest.param(case, id=case.id, marks=marks)


def test_corpus_is_big_enough():
    ids = [c.id for c in cases.CASES]
    assert len(ids) == len(set(ids)) >= 40
    sources = {c.target.split("/")[0] for c in cases.CASES if "/" in c.target}
    folders = {c.folder for c in CONTRACTS.values()}
    assert folders <= sources, folders - sources
    for case in cases.CASES:  # every case has its file(s) or a generator, not both
        assert (cases.FILES / case.id).is_dir() != (case.id in cases.GENERATORS), case.id


@pytest.mark.parametrize("case", list(_params()))
def test_bad_input(case, case_env: Env) -> None:
    env = case_env
    before_files = env.files()
    case.write(env.landing)
    written = sorted(env.files() - before_files)
    assert case.target in written
    before = env.figures()

    if case.outcome == "file":
        with pytest.raises(SourceFileError) as info:
            env.run(case.marts)
        err = info.value
        text = str(err)
        assert err.path == case.target and text.startswith(f"{case.target}: "), text
        assert err.line == case.line, text
        if case.line is not None:
            assert text.startswith(f"{case.target}: line {case.line}: "), text
        if case.column is not None:
            assert err.column == case.column and case.column in text, text
        for part in case.message:
            assert part in text, text
        assert "\n" not in text
        # Nothing published: the same build, the same figures; nothing left behind; the failure is logged.
        assert env.figures() == before
        leftovers = [
            p.name for p in (env.warehouse.parent / "builds").iterdir() if not p.name.endswith(".duckdb")
        ]
        assert leftovers == []
        last = json.loads((env.warehouse.parent / "etl_runs.jsonl").read_text().splitlines()[-1])
        assert last["status"] == "failed" and last["message"] == text
        # Without the bad file the next run (the lock is free) loads the good files.
        for rel in written:
            (env.landing / rel).unlink()
        result = env.run(case.marts)
        assert result.status == "succeeded"
        assert env.warehouse.readlink() != Path(before[0])
        assert_companions_loaded(env, result, case.marts)
        return

    result = env.run(case.marts)
    assert result.status == "succeeded"
    by_rel = {f.rel: f for f in result.files}
    target = by_rel[case.target]
    for part in case.message:
        assert any(part in w for w in result.warnings), result.warnings
    if case.outcome == "ignored":
        assert target.status == "ignored"
        assert env.scalar("select status from etl_files where path = $p", {"p": case.target}) == "ignored"
    else:
        assert target.status == "loaded"
        got = env.query(
            "select line, column_name, value, reason from quarantine where file_name = $f order by line, column_name",
            {"f": case.target},
        )
        assert len(got) == len(case.quarantine), got
        expected = [
            (line, column, got_row[2] if value is cases.ANY else value, reason)
            for (line, column, value, reason), got_row in zip(case.quarantine, got, strict=True)
        ]
        assert got == expected
        assert all(reason for *_, reason in got)
        lines = {line for line, *_ in got}
        assert (target.rows_loaded, target.rows_quarantined) == (case.loaded, len(lines))
        assert target.rows_read == target.rows_loaded + target.rows_quarantined
        assert (
            env.scalar(
                "select count(*) from raw_"  # noqa: S608 - a contract name
                + target.source
                + " where _file_id = $id",
                {"id": target.file_id},
            )
            == case.loaded
        )
        # Every other file of the case (e.g. the fee of a refund case) loaded without quarantine.
        for rel in written:
            if rel != case.target:
                assert by_rel[rel].status == "loaded" and by_rel[rel].rows_quarantined == 0, rel
    for sql, value in case.checks:
        assert env.scalar(sql) == value, sql
    if case.id == "formula_in_title":
        import pandas as pd

        from read.cells import to_csv_bytes

        title = env.scalar("select course_title from dim_course where course_code = 'MC-FSKTM-005'")
        exported = to_csv_bytes(pd.DataFrame({"course_title": [title]})).decode("utf-8-sig")
        assert "'=HYPERLINK(" in exported
    assert_companions_loaded(env, result, case.marts)
