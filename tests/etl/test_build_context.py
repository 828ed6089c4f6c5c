"""etl.publish.build owns a build's life: whatever goes wrong inside it (an error in the body, a failed final
step, Ctrl-C), the published warehouse stays byte for byte what it was, no .tmp build or spill folder is left,
the lock is free, and `mckpi status` names the failed run."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from cli.main import app
from core.errors import EtlError
from core.published import published_target
from core.runlog import published_runs
from etl.ingest import ensure_schema
from etl.publish import Build, build, builds_dir, new_run_id, writer_lock_held
from etl.results import EtlResult

runner = CliRunner()


def new_result(published: Path) -> EtlResult:
    return EtlResult(new_run_id(), datetime.now(UTC), published.parent / "landing", published)


def publish_first(published: Path) -> EtlResult:
    """A small published build: the operational tables and one figure."""
    result = new_result(published)

    def succeed(b: Build) -> None:
        result.status = "succeeded"
        result.finished_at = datetime.now(UTC)

    with build(result, copy_current=False, final_steps=[succeed]) as b:
        ensure_schema(b.con)
        b.con.execute("insert into warehouse_info values ('etl_run_id', $r)", {"r": b.run_id})
        b.con.execute("create table figure as select 42 as answer")
    return result


def leftovers(published: Path) -> list[str]:
    return sorted(p.name for p in builds_dir(published).iterdir() if ".tmp" in p.name or p.name.startswith(".spill-"))


def test_a_successful_build_is_published_and_the_next_one_starts_from_a_copy(tmp_path: Path) -> None:
    published = tmp_path / "warehouse" / "mckpi.duckdb"
    first = publish_first(published)
    assert published_target(published) == first.build == builds_dir(published) / f"{first.run_id}.duckdb"
    assert [(r["run_id"], r["status"]) for r in published_runs(published)] == [(first.run_id, "succeeded")]

    second = new_result(published)
    with build(second) as b:
        assert b.path == builds_dir(published) / f"{second.run_id}.duckdb.tmp"
        assert b.con.execute("select answer from figure").fetchone() == (42,)  # a copy of the published build
        b.con.execute("update figure set answer = 43")
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select answer from figure").fetchone() == (43,)
    assert leftovers(published) == [] and not writer_lock_held(published.parent)


def fail_in_body(b: Build) -> None:
    raise RuntimeError("boom in the body")


def fail_in_a_final_step(b: Build) -> None:
    raise EtlError("check failed: 2 payments without a receipt")


def interrupt(b: Build) -> None:
    raise KeyboardInterrupt


@pytest.mark.parametrize(
    ("where", "how", "raised", "message"),
    [
        ("body", fail_in_body, EtlError, "boom in the body (details in "),
        ("final step", fail_in_a_final_step, EtlError, "check failed: 2 payments without a receipt"),
        ("body", interrupt, KeyboardInterrupt, "KeyboardInterrupt"),
    ],
)
def test_a_failure_inside_a_build_leaves_the_published_warehouse_as_it_was(
    tmp_path: Path, where: str, how, raised: type[BaseException], message: str
) -> None:
    published = tmp_path / "warehouse" / "mckpi.duckdb"
    first = publish_first(published)
    before = published_target(published).read_bytes()  # type: ignore[union-attr]

    result = new_result(published)
    with pytest.raises(raised) as caught:  # noqa: PT012 - the build's body is the point
        with build(result, final_steps=[how] if where == "final step" else []) as b:
            b.con.execute("drop table figure")
            b.con.execute("create table half_built as select 1 as x")
            assert b.path.exists()
            if where == "body":
                how(b)

    if raised is EtlError:
        assert caught.value.result is result  # type: ignore[attr-defined]
    assert result.status == "failed" and result.build is None
    assert published_target(published) == first.build
    assert published_target(published).read_bytes() == before  # type: ignore[union-attr]
    assert leftovers(published) == [] and not writer_lock_held(published.parent)
    assert sorted(p.name for p in builds_dir(published).iterdir()) == [f"{first.run_id}.duckdb"]

    last = published_runs(published)[-1]
    assert (last["run_id"], last["status"]) == (result.run_id, "failed")
    assert str(last["message"]).startswith(message)
    status = runner.invoke(app, ["status", "--warehouse", str(published)], env={"COLUMNS": "250"})
    assert status.exit_code == 1, status.output
    problem = next(line for line in status.output.splitlines() if line.startswith("problem:"))
    assert problem.startswith(f"problem: the last ETL run {result.run_id} failed: {message}")
