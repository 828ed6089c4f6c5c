"""One ETL run: load the new landing files into a build (etl.ingest), build the models, run the checks, record
the run and publish, the build's life owned by etl.publish.build.

    result = run_etl(load_settings())            # raises an EtlError (one-line message) when the run fails

On failure nothing is published, the run is recorded in etl_runs.jsonl, and the EtlError carries the partial
result as `.result`. Load modes and what is skipped: see etl.ingest.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from core import demo_proof
from core.config import Settings
from core.errors import EtlError, SourceFileError
from etl.checks import CHECKS_DIR, run_checks
from etl.completeness import run_problems, top_quarantine, waiting_futurelearn_files
from etl.discover import LandingFile, discover
from etl.horizon import DateHorizon
from etl.ingest import Progress, ensure_schema, load_landing, transaction, utc_now
from etl.models import MODELS_DIR, run_models
from etl.publish import Build, build, new_run_id
from etl.results import EtlResult, FileResult, SourceSummary  # noqa: F401 - callers import them from here
from etl.runlog import published_runs, write_runs_table
from etl.sources.fl_layouts import STORE_FREE_TEXT_VARIABLE

SCHEMA_VERSION = "1"


def _info(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """warehouse_info of the build copied from the published one (empty for a new build)."""
    exists = con.execute(
        "select count(*) from information_schema.tables where table_name = 'warehouse_info' and table_schema = 'main'"
    ).fetchone()[0]  # type: ignore[index]
    return dict(con.execute("select key, value from warehouse_info").fetchall()) if exists else {}  # type: ignore[arg-type]


def _write_info(con: duckdb.DuckDBPyConnection, info: dict[str, str]) -> None:
    con.execute("delete from warehouse_info")
    for key, value in info.items():
        con.execute("insert into warehouse_info values ($k, $v)", {"k": key, "v": value})



def run_etl(
    settings: Settings,
    landing: Path | None = None,
    warehouse: Path | None = None,
    *,
    progress: Progress | None = None,
    full: bool = False,
    models_dir: Path | None = None,
    checks_dir: Path | None = None,
) -> EtlResult:
    """Run the ETL and publish a new warehouse. On failure nothing is published, the run is recorded in
    etl_runs.jsonl, and the EtlError raised carries the partial result as `.result`.

    full: build from an empty warehouse (reload every landing file) instead of copying the published one.
    """
    landing = Path(landing) if landing is not None else settings.paths.landing
    published = Path(warehouse) if warehouse is not None else settings.paths.warehouse
    started = utc_now()
    result = EtlResult(new_run_id(started), started, landing, published)
    final_steps = (_checks(result, checks_dir or CHECKS_DIR, models_dir or MODELS_DIR), _record(result, settings))
    with build(result, copy_current=not full, final_steps=final_steps, keep=settings.retention.keep_warehouses) as b:
        _load_and_model(b, settings, result, progress=progress, models_dir=models_dir or MODELS_DIR)
    return result


def _load_and_model(
    b: Build, settings: Settings, result: EtlResult, *, progress: Progress | None, models_dir: Path
) -> None:
    key_is_demo = "true" if settings.uses_demo_key() else "false"
    previous = _info(b.con)
    reason = ""
    if previous and previous.get("schema_version") != SCHEMA_VERSION:
        reason = "the published warehouse has another schema version"
    elif previous and previous.get("pseudonym_key_is_demo", key_is_demo) != key_is_demo:
        reason = "the pseudonym key changed (demo <-> real)"
    if reason:  # an incremental load on top of that build would mix two worlds: start from an empty one
        result.warnings.append(f"{reason}: rebuilding from all landing files")
        t0 = time.perf_counter()
        b.start_over()
        result.timings["copy"] += time.perf_counter() - t0
    con = b.con
    # Learners' free text is kept only when allowed (etl.sources.fl_layouts reads this variable).
    con.execute(f"set variable {STORE_FREE_TEXT_VARIABLE} = $v", {"v": bool(settings.insights.store_free_text)})
    t0 = time.perf_counter()
    result.files = load_landing(
        con, result.landing, b.run_id, settings.pseudonym_key(), progress=progress, warnings=result.warnings,
        archive=settings.paths.archive,
        horizon=DateHorizon(result.started_at.date(), settings.dates),
    )
    result.timings["load"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    with transaction(con):  # one WAL sync for all models, not one per statement
        result.models = run_models(con, models_dir)
    result.timings["models"] = time.perf_counter() - t0


def _checks(result: EtlResult, checks_dir: Path, models_dir: Path) -> Callable[[Build], None]:
    """The build's checks (a failed one fails the run) and whether the run did its job (etl.completeness)."""

    def step(b: Build) -> None:
        t0 = time.perf_counter()
        result.checks = run_checks(b.con, checks_dir, models_dir=models_dir)
        result.timings["checks"] = time.perf_counter() - t0
        result.problems = run_problems(b.con, result.files, b.run_id)
        result.top_quarantine = top_quarantine(b.con, b.run_id)
        result.waiting_sha256 = waiting_futurelearn_files(b.con)

    return step


def _record(result: EtlResult, settings: Settings) -> Callable[[Build], None]:
    """The run's outcome, the run log and warehouse_info, written into the build it publishes."""

    def step(b: Build) -> None:
        result.status = "incomplete" if result.problems else "succeeded"
        if result.problems:
            more = f" (and {len(result.problems) - 1} more)" if len(result.problems) > 1 else ""
            result.message = f"published, incomplete: {result.problems[0]}{more}"
        result.finished_at = utc_now()
        con = b.con
        con.begin()
        runs = [r for r in published_runs(b.published) if r.get("run_id") != b.run_id]
        write_runs_table(con, [*runs, result.run_record()])
        # Demo or real is decided by the data (every file proven generated, the demo key), never a marker file.
        proof = demo_proof.decide(con, result.landing, settings.privacy.demo_pseudonym_key, settings.uses_demo_key())
        _write_info(
            con,
            {
                "etl_run_id": b.run_id,
                "published_at": utc_now().isoformat(timespec="seconds"),
                "schema_version": SCHEMA_VERSION,
                "is_demo": "true" if proof.is_demo else "false",
                "demo_fingerprint": proof.fingerprint,
                "pseudonym_key_is_demo": "true" if settings.uses_demo_key() else "false",
            },
        )
        con.commit()

    return step


__all__ = [
    "EtlError",
    "EtlResult",
    "FileResult",
    "LandingFile",
    "SourceFileError",
    "discover",
    "ensure_schema",
    "load_landing",
    "run_etl",
]
