"""The real OULAD set (../shared/realdata/oulad/) through `mckpi etl --oulad`: the KPI layer's figures per
presentation and overall equal ../shared/realdata/EXPECTED.md (registrations, withdrawals, passes)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from core.config import load_settings
from read.kpi import KpiFilters, run_kpi
from read.warehouse import Warehouse

# EXPECTED.md, "final_result and unregistrations per presentation": Distinction, Pass, Fail, Withdrawn, total,
# registrations with date_unregistration, of which final_result = Withdrawn.
EXPECTED = {
    ("AAA", "2013J"): (20, 258, 45, 60, 383, 60, 60),
    ("AAA", "2014J"): (24, 229, 46, 66, 365, 66, 66),
    ("BBB", "2013B"): (155, 648, 459, 505, 1767, 505, 505),
    ("BBB", "2013J"): (176, 896, 521, 644, 2237, 647, 644),
    ("BBB", "2014B"): (166, 561, 396, 490, 1613, 489, 489),
    ("BBB", "2014J"): (180, 972, 391, 749, 2292, 736, 736),
    ("CCC", "2014B"): (192, 471, 375, 898, 1936, 898, 898),
    ("CCC", "2014J"): (306, 709, 406, 1077, 2498, 1049, 1049),
    ("DDD", "2013B"): (54, 456, 361, 432, 1303, 431, 431),
    ("DDD", "2013J"): (98, 731, 428, 681, 1938, 684, 681),
    ("DDD", "2014B"): (119, 360, 259, 490, 1228, 489, 489),
    ("DDD", "2014J"): (112, 680, 364, 647, 1803, 631, 631),
    ("EEE", "2013J"): (127, 482, 200, 243, 1052, 243, 243),
    ("EEE", "2014B"): (72, 285, 164, 173, 694, 173, 173),
    ("EEE", "2014J"): (157, 527, 198, 306, 1188, 302, 302),
    ("FFF", "2013B"): (118, 664, 421, 411, 1614, 411, 411),
    ("FFF", "2013J"): (187, 908, 513, 675, 2283, 677, 674),
    ("FFF", "2014B"): (107, 547, 384, 462, 1500, 461, 461),
    ("FFF", "2014J"): (258, 859, 393, 855, 2365, 831, 831),
    ("GGG", "2013J"): (141, 451, 294, 66, 952, 65, 65),
    ("GGG", "2014B"): (128, 350, 255, 100, 833, 100, 100),
    ("GGG", "2014J"): (127, 317, 179, 126, 749, 124, 124),
}


@pytest.fixture(scope="module")
def oulad_wh(realdata: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    root = tmp_path_factory.mktemp("oulad")
    warehouse = root / "warehouse" / "mckpi.duckdb"
    result = CliRunner().invoke(app, ["etl", "--landing", str(root / "landing"), "--warehouse", str(warehouse),
                                      "--oulad", str(realdata / "oulad")])
    assert result.exit_code == 0, result.output
    assert "22 presentations" in result.output and "32,593 registrations" in result.output
    wh = Warehouse(warehouse)
    yield wh
    wh.close()


def _run(wh: Warehouse, kpi_id: str, by: str) -> dict[tuple[int, str], dict]:
    settings = load_settings()
    settings = replace(settings, privacy=replace(settings.privacy, small_cell_limit=1))
    table = run_kpi(wh, kpi_id, KpiFilters(), by=by, settings=settings).table
    return {(r["year"], r["group_key"]): r for r in table.to_pylist()}


def test_nothing_quarantined(oulad_wh: Warehouse) -> None:
    assert oulad_wh.query("select count(*) from quarantine").column(0)[0].as_py() == 0


def test_registrations_and_withdrawals_per_presentation(oulad_wh: Warehouse) -> None:
    rows = _run(oulad_wh, "enrolments", "course_run")
    for (module, presentation), (_d, _p, _f, withdrawn, total, unregistered, unreg_withdrawn) in EXPECTED.items():
        row = rows[(int(presentation[:4]), f"OU-{module}-{presentation}")]
        assert row["enrolments"] == total, (module, presentation)
        # Withdrawn = unregistered, or final_result Withdrawn without an unregistration date.
        assert row["withdrawals"] == unregistered + (withdrawn - unreg_withdrawn), (module, presentation)


def test_passes_per_presentation(oulad_wh: Warehouse) -> None:
    rows = _run(oulad_wh, "completions", "course_run")
    for (module, presentation), (distinction, passed, *_rest) in EXPECTED.items():
        row = rows[(int(presentation[:4]), f"OU-{module}-{presentation}")]
        assert (row["passed"], row["completions"]) == (distinction + passed,) * 2, (module, presentation)


def test_overall_totals(oulad_wh: Warehouse) -> None:
    enrolments = _run(oulad_wh, "enrolments", "university")
    completions = _run(oulad_wh, "completions", "university")
    # By the presentations' start year: 2013 and 2014.
    assert sorted(enrolments) == [(2013, "ALL"), (2014, "ALL")]
    assert sum(r["enrolments"] for r in enrolments.values()) == 32_593
    # 10,072 unregistrations + 93 Withdrawn without a date.
    assert sum(r["withdrawals"] for r in enrolments.values()) == 10_165
    assert sum(r["passed"] for r in completions.values()) == 12_361 + 3_024
