"""Shared test fixtures: where the shared real data lives, and a throwaway ETL environment.

`etl_env` gives a landing folder filled from the contract templates and a published warehouse built from it
(built once per session, copied per test), with the model and check folders pointing at an empty folder so these
tests do not depend on queries/models/.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from core.config import Settings, load_settings
from core.contracts import CONTRACTS, Contract, template_rows, template_text

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"  # CI clones the repo with ../shared beside it
REALDATA = SHARED / "realdata"


def landing_name(contract: Contract, label: str | None = None) -> str:
    """Where a contract's template goes in a landing folder (FutureLearn files are named after a run label)."""
    if contract.folder == "futurelearn":
        dataset = contract.pattern.removeprefix("*_").removesuffix(".csv*")
        return f"futurelearn/{label or 'data-analytics-python-3'}_{dataset}.csv"
    return f"{contract.folder}/{contract.template_name}"


def write_csv(path: Path, header: Iterable[str], rows: Iterable[Iterable[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(list(header))
        writer.writerows([list(r) for r in rows])
    return path


def write_template_landing(landing: Path) -> None:
    """Every contract's two template rows, each in its landing folder."""
    for contract in CONTRACTS.values():
        if contract.template_name.endswith(".csv"):
            write_csv(landing / landing_name(contract), contract.header, template_rows(contract))
        else:  # the Open Badges export is JSON Lines
            path = landing / landing_name(contract)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(template_text(contract), encoding="utf-8")


@dataclass
class EtlEnv:
    root: Path
    landing: Path
    warehouse: Path
    models: Path
    settings: Settings

    def run(self, **kwargs):
        from etl.load import run_etl

        kwargs.setdefault("models_dir", self.models)
        kwargs.setdefault("checks_dir", self.models / "checks")
        return run_etl(self.settings, self.landing, self.warehouse, **kwargs)

    def query(self, sql: str, params: dict | None = None) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql, params or {}).fetchall()

    def scalar(self, sql: str, params: dict | None = None):
        return self.query(sql, params)[0][0]

    def published(self) -> str:
        return str(self.warehouse.readlink())


def make_env(root: Path) -> EtlEnv:
    models = root / "models"
    for sub in ("staging", "marts", "checks"):
        (models / sub).mkdir(parents=True, exist_ok=True)
    landing = root / "landing"
    warehouse = root / "warehouse" / "mckpi.duckdb"
    settings = load_settings().with_paths(landing=landing, warehouse=warehouse)
    return EtlEnv(root, landing, warehouse, models, settings)


@pytest.fixture(scope="session")
def template_env_source(tmp_path_factory: pytest.TempPathFactory) -> EtlEnv:
    env = make_env(tmp_path_factory.mktemp("template_env"))
    write_template_landing(env.landing)
    env.run()
    return env


@pytest.fixture
def etl_env(template_env_source: EtlEnv, tmp_path: Path) -> EtlEnv:
    """A landing folder of templates and the warehouse published from it, private to the test."""
    env = make_env(tmp_path / "env")
    shutil.copytree(template_env_source.landing, env.landing)
    shutil.copytree(template_env_source.warehouse.parent, env.warehouse.parent, symlinks=True)
    return env


@pytest.fixture
def empty_env(tmp_path: Path) -> EtlEnv:
    env = make_env(tmp_path / "env")
    env.landing.mkdir(parents=True)
    return env


@pytest.fixture(scope="session")
def csv_writer():
    """`write_csv(path, header, rows)` for tests (a fixture, so test modules need not import conftest)."""
    return write_csv


@pytest.fixture(scope="session")
def realdata() -> Path:
    if not REALDATA.is_dir():
        pytest.skip(f"shared real data not found at {REALDATA}")
    return REALDATA


@pytest.fixture(scope="session")
def env_factory(tmp_path_factory: pytest.TempPathFactory):
    """make(name, landing=None, models=None) -> a fresh EtlEnv (nothing published yet)."""

    def make(name: str = "env", landing: Path | None = None, models: Path | None = None) -> EtlEnv:
        env = make_env(tmp_path_factory.mktemp(name))
        if landing is not None:
            env.landing = landing
            env.settings = env.settings.with_paths(landing=landing)
        if models is not None:
            env.models = models
        return env

    return make


def all_kpi_outputs(warehouse: Path, *, as_of: str = "2026-11-23") -> dict[str, object]:
    """Every KPI at every grain it offers, unfiltered, exact (management scope): what "every figure" means when
    two warehouses must show the same. Rows as sorted tuples, so row order does not matter."""
    from read.kpi import KpiFilters, list_kpis, run_kpi
    from read.warehouse import Warehouse

    out: dict[str, object] = {}
    wh = Warehouse(warehouse)
    try:
        for spec in list_kpis():
            if spec.id in {"etl_history", "quarantine_summary"}:
                continue  # about the runs themselves, not the data
            for by in spec.grain:
                table = run_kpi(wh, spec.id, KpiFilters(), by=by, as_of=as_of).table
                out[f"{spec.id}/{by}"] = sorted(tuple(str(v) for v in row.values()) for row in table.to_pylist())
    finally:
        wh.close()
    return out


@pytest.fixture(scope="session")
def kpi_outputs():
    """`kpi_outputs(warehouse_path) -> {kpi/grain: rows}` (see all_kpi_outputs)."""
    return all_kpi_outputs


GOLDEN = REPO / "tests" / "queries" / "golden"


def kpi_digests(warehouse: Path) -> dict[str, str]:
    """Every KPI output (all_kpi_outputs) as `rows sha256-prefix` per kpi/grain. Floats are written with 10
    significant digits: a parallel sum of doubles may differ in its last bits from one run to the next."""
    import hashlib
    import json

    def cell(value: str) -> str:
        try:
            return value if float(value).is_integer() or "." not in value else f"{float(value):.10g}"
        except ValueError:
            return value

    out = {}
    for key, rows in all_kpi_outputs(warehouse).items():
        text = json.dumps([[cell(v) for v in row] for row in rows])  # type: ignore[union-attr]
        out[key] = f"{len(rows)} {hashlib.sha256(text.encode()).hexdigest()[:16]}"  # type: ignore[arg-type]
    return out


@pytest.fixture(scope="session")
def kpi_golden():
    """`kpi_golden(name, warehouse_path)`: every KPI output equals tests/queries/golden/<name>.json, so that a
    speed-up or a refactor proves it changed no figure. After a change meant to move figures, write the files
    again with `MCKPI_UPDATE_GOLDEN=1 pytest tests/queries -k golden` and say why in the commit."""
    import json
    import os

    def check(name: str, warehouse: Path) -> None:
        path = GOLDEN / f"{name}.json"
        digests = kpi_digests(warehouse)
        if os.environ.get("MCKPI_UPDATE_GOLDEN") == "1":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        expected = json.loads(path.read_text(encoding="utf-8"))
        changed = sorted(k for k in expected.keys() | digests.keys() if expected.get(k) != digests.get(k))
        assert not changed, f"KPI outputs differ from {path.name} ({len(changed)}): {', '.join(changed[:20])}"

    return check
