"""`mckpi kpi ...`: list the KPIs and show one from the published warehouse (the main CLI adds `kpi_app`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from cli.console import cli_console
from core.config import load_settings
from read.kpi import AccessScope, KpiError, KpiFilters, get_kpi, list_kpis, run_kpi
from read.lake import LakeError
from read.warehouse import QueryTimeout, Warehouse, WarehouseMissing

kpi_app = typer.Typer(help="KPIs: list them, or show one from the published warehouse.", no_args_is_help=True)
console = cli_console()  # wide without a terminal: log lines and cron mail are never cut (cli.console)


@kpi_app.command("list")
def list_command(
    lang: Annotated[str, typer.Option(help="Titles in 'en' or 'ms'.")] = "en",
) -> None:
    """Every KPI: id, title, unit and the breakdowns (--by) it offers."""
    table = Table(title="KPIs" if lang != "ms" else "KPI")
    for column in ("id", "title", "unit", "by"):
        table.add_column(column)
    for spec in list_kpis():
        table.add_row(spec.id, spec.title(lang), spec.unit, ", ".join(spec.grain))
    console.print(table)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


@kpi_app.command("show")
def show_command(
    kpi_id: Annotated[str, typer.Argument(help="The KPI id, e.g. enrolments (see `mckpi kpi list`).")],
    year: Annotated[int | None, typer.Option(help="Only this year.")] = None,
    ptj: Annotated[list[str] | None, typer.Option("--ptj", help="Only this PTj (repeat for more).")] = None,
    course: Annotated[list[str] | None, typer.Option("--course", help="Only this course code (repeatable).")] = None,
    by: Annotated[str, typer.Option(help="Breakdown: university, ptj, course, course_run, ...")] = "university",
    as_of: Annotated[str | None, typer.Option(help="Date for targets and live runs (default today).")] = None,
    lang: Annotated[str, typer.Option(help="'en' or 'ms'.")] = "en",
    warehouse: Annotated[Path | None, typer.Option(help="Warehouse file (default from mckpi.toml).")] = None,
    output: Annotated[
        str, typer.Option("--format", help="table (for people), csv or json (for scripts and cron jobs).")
    ] = "table",
    engine: Annotated[str, typer.Option(help="duckdb, or spark (needs --lake; [spark] in mckpi.toml).")] = "duckdb",
    lake: Annotated[
        str | None, typer.Option(help="Run over this Parquet lake (`mckpi export --format parquet`), not the warehouse.")
    ] = None,
) -> None:
    """Run one KPI against the published warehouse and print it (small learner counts shown as <5).

    csv: one header line and a line per row, numbers unformatted. json: {"kpi", "title", "unit", "by", "filters",
    "rows": [...], "protected": [[row, column], ...]}; money is text with two decimals (exact, never a float),
    protected cells are "<5" (counts) or "-" (rates), as on the page."""
    if output not in {"table", "csv", "json"}:
        console.print(f"[red]--format must be table, csv or json, not {output!r}[/red]")
        raise typer.Exit(2)
    settings = load_settings()
    try:
        wh = _source(engine, lake, warehouse, kpi_id, settings)
    except (KpiError, LakeError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    try:
        spec = get_kpi(kpi_id)
        if as_of is not None:
            dt.date.fromisoformat(as_of)
        filters = KpiFilters(year=year, ptj_codes=tuple(ptj or ()), course_codes=tuple(course or ()))
        # The CLI runs on the server, for staff who can read the warehouse file: every PTj, exact figures.
        result = run_kpi(wh, kpi_id, filters, by=by, scope=AccessScope("cli"), settings=settings, as_of=as_of)
    except (KpiError, WarehouseMissing, QueryTimeout, ValueError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    finally:
        wh.close()
    frame = result.display_df(lang)
    if output != "table":
        _print_machine_readable(frame, result, spec.title(lang), output, filters, by, as_of)
        return
    table = Table(title=spec.title(lang), caption=spec.definition(lang), caption_justify="left")
    for column in frame.columns:
        table.add_column(str(column), justify="right" if frame[column].dtype.kind in "iuf" else "left")
    for row in frame.itertuples(index=False):
        table.add_row(*(_cell(None if _is_missing(v) else v) for v in row))
    console.print(table)
    if not len(frame):
        console.print("No data for these filters.")


def _source(engine: str, lake: str | None, warehouse: Path | None, kpi_id: str, settings):  # noqa: ANN001, ANN202
    """The published warehouse, or the lake on DuckDB or Spark (read.lake, read.spark_engine)."""
    if engine not in {"duckdb", "spark"}:
        raise KpiError(f"--engine must be duckdb or spark, not {engine!r}")
    if lake is None:
        if engine == "spark":
            raise KpiError("--engine spark runs over a Parquet lake: give --lake DIR (mckpi export --format parquet)")
        return Warehouse(warehouse or settings.paths.warehouse)
    if warehouse is not None:
        raise KpiError("give --lake or --warehouse, not both")
    from read.lake import open_duckdb, read_lake

    found = read_lake(lake)
    if missing := found.missing_for(get_kpi(kpi_id)):
        raise KpiError(f"KPI {kpi_id!r} reads {', '.join(missing)}, which the lake does not hold (only the marts "
                       "are exported): run it on the warehouse")
    if engine == "duckdb":
        return open_duckdb(found)
    from read.spark_engine import SparkLake

    return SparkLake(found, settings)


def _is_missing(value: object) -> bool:
    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))


def _print_machine_readable(frame: pd.DataFrame, result, title: str, output: str, filters: KpiFilters,  # noqa: ANN001
                            by: str, as_of: str | None) -> None:
    import csv
    import json
    import sys

    def plain(value: object) -> object:
        if _is_missing(value):
            return None
        return value.item() if hasattr(value, "item") and hasattr(value, "dtype") else value  # numpy -> int/float

    rows = [{column: plain(value) for column, value in record.items()} for record in frame.to_dict("records")]
    if output == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(frame.columns)
        for record in rows:
            writer.writerow(["" if v is None else v for v in record.values()])
        return
    document = {
        "kpi": result.spec.id,
        "title": title,
        "unit": result.spec.unit,
        "by": result.by,
        "filters": {"year": filters.year, "ptj": list(filters.ptj_codes), "course": list(filters.course_codes),
                    "as_of": as_of},
        "rows": rows,
        "protected": sorted([row, column] for row, column in result.suppressed),
    }
    sys.stdout.write(json.dumps(document, default=str, ensure_ascii=False, indent=1) + "\n")
