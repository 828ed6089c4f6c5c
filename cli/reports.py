"""`mckpi report | snapshot | snapshots | export`: the ministry report, frozen snapshots, Parquet and MQA exports.

    mckpi report --year 2025 [--ptj FSKTM] --format xlsx|pdf [--out FILE] [--lang en|ms] [--snapshot LABEL]
    mckpi snapshot --label 2025-ministry-final
    mckpi snapshots
    mckpi export --format parquet --out DIR [--overwrite] [--learner-rows] [--snapshot LABEL]
    mckpi export --format mqa --out FILE [--year 2025] [--snapshot LABEL]

The main CLI (cli/main.py) calls `register(app)`. Reports and exports read the published warehouse, or a snapshot
with --snapshot (the figures that were sent).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cli.console import cli_console
from core.config import ConfigError, Settings, load_settings

console = cli_console()  # wide without a terminal: log lines and cron mail are never cut (cli.console)
err_console = cli_console(stderr=True)

ConfigOpt = Annotated[Path | None, typer.Option("--config", help="mckpi.toml to use (default: MCKPI_CONFIG, ./mckpi.toml)")]
WarehouseOpt = Annotated[Path | None, typer.Option("--warehouse", help="Published warehouse path (default from config)")]
SnapshotOpt = Annotated[str | None, typer.Option("--snapshot", help="Read this snapshot instead of the published warehouse")]


def _fail(message: str, code: int = 1) -> None:
    err_console.print(f"[bold red]error:[/] {escape(message)}")
    raise typer.Exit(code)


def _settings(config: Path | None) -> Settings:
    if config is not None and not config.is_file():
        _fail(f"config file {config} not found")
    try:
        return load_settings(config)
    except ConfigError as exc:  # a typo in mckpi.toml or an MCKPI_* variable: one line, no traceback
        _fail(str(exc))
        raise  # unreachable: _fail exits


def _source(settings: Settings, warehouse: Path | None, snapshot: str | None) -> Path:
    """The file to read: a snapshot, or the published warehouse."""
    if snapshot and warehouse:
        _fail("give --snapshot or --warehouse, not both")
    if snapshot:
        from read.snapshot import SnapshotError, resolve_snapshot

        try:
            return resolve_snapshot(settings, snapshot)
        except SnapshotError as exc:
            _fail(str(exc))
    path = warehouse or settings.paths.warehouse
    if not path.exists():
        _fail(f"no warehouse at {path}: run `mckpi etl` first")
    return path


def report(
    year: Annotated[int, typer.Option("--year", help="The year to report")],
    fmt: Annotated[str, typer.Option("--format", help="xlsx or pdf")] = "xlsx",
    ptj: Annotated[list[str] | None, typer.Option("--ptj", help="Only this PTj (repeat for more); default all")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="File (or folder) to write; default ./mckpi-report-<year>...")] = None,
    lang: Annotated[str, typer.Option("--lang", help="en or ms")] = "en",
    snapshot: SnapshotOpt = None,
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
) -> None:
    """The ministry / management report for a year: scorecard, courses, learners, completions, revenue, workload."""
    from read.report import FORMATS, LANGS, ReportError, build_report, report_filename

    fmt, lang = fmt.lower(), lang.lower()
    if fmt not in FORMATS:
        _fail(f"--format must be one of {', '.join(FORMATS)}")
    if lang not in LANGS:
        _fail(f"--lang must be one of {', '.join(LANGS)}")
    settings = _settings(config)
    source = _source(settings, warehouse, snapshot)
    target = out or Path(report_filename(year, ptj=ptj, fmt=fmt, lang=lang))
    try:
        with console.status(f"Building the {year} report ({fmt}) ..."):
            path = build_report(source, year, ptj=ptj or None, fmt=fmt, out=target, lang=lang, settings=settings)
    except (ReportError, FileNotFoundError) as exc:
        _fail(str(exc))
    console.print(f"[green]Report written to[/] {escape(str(path))}")


def snapshot(
    label: Annotated[str, typer.Option("--label", help="Name of the snapshot, e.g. 2025-ministry-final")],
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Freeze the published warehouse under a label (read-only; a label cannot be reused)."""
    from read.snapshot import SnapshotError, create_snapshot

    settings = _settings(config)
    try:
        path = create_snapshot(settings, label, warehouse=warehouse)
    except SnapshotError as exc:
        _fail(str(exc))
    console.print(f"[green]Snapshot[/] [bold]{escape(label)}[/] written to {escape(str(path))}")


def _when(iso: str | None) -> str:
    return iso[:19].replace("T", " ") if iso else "?"


def snapshots(config: ConfigOpt = None) -> None:
    """List the snapshots: label, when taken, the ETL run they froze."""
    from read.snapshot import list_snapshots

    settings = _settings(config)
    found = list_snapshots(settings)
    if not found:
        console.print(f"No snapshots in {escape(str(settings.paths.snapshots))} (make one with `mckpi snapshot --label L`)")
        return
    table = Table(title=f"Snapshots in {settings.paths.snapshots}", title_justify="left")
    for column in ("label", "created (UTC)", "ETL run", "data published (UTC)", "MB", "demo"):
        table.add_column(column, justify="right" if column == "MB" else "left")
    for s in found:
        table.add_row(escape(s.label), _when(s.created_at), s.etl_run_id or "?", _when(s.published_at),
                      f"{s.bytes / 1e6:,.1f}", "yes" if s.is_demo else "")
    console.print(table)


def export(
    fmt: Annotated[str, typer.Option("--format", help="parquet (dims and facts) or mqa (CSV for the MQA)")],
    out: Annotated[Path, typer.Option("--out", help="Folder (parquet) or CSV file (mqa) to write")],
    year: Annotated[int | None, typer.Option("--year", help="mqa: only this year (default all years)")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="parquet: replace a non-empty folder")] = False,
    learner_rows: Annotated[bool, typer.Option(
        "--learner-rows",
        help="parquet: also the learner-level tables (pseudonymised), for the university's own scale-out engine; "
             "server team only")] = False,
    snapshot: SnapshotOpt = None,
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Export the warehouse: Hive-partitioned Parquet for DuckDB/Trino/Spark, or the MQA learners CSV."""
    from read.exports import ExportError, export_mqa, export_parquet

    fmt = fmt.lower()
    if fmt not in ("parquet", "mqa"):
        _fail("--format must be parquet or mqa")
    if fmt == "parquet" and year is not None:
        _fail("--year applies to --format mqa only (the Parquet export has every year)")
    settings = _settings(config)
    source = _source(settings, warehouse, snapshot)
    try:
        if fmt == "parquet":
            with console.status("Exporting Parquet ..."):
                manifest = export_parquet(source, out, overwrite=overwrite, learner_rows=learner_rows)
            rows = sum(t["rows"] for t in manifest["tables"].values())
            console.print(f"[green]Exported[/] {len(manifest['tables'])} tables ({rows:,} rows, ETL run "
                          f"{manifest['etl_run_id']}) to {escape(str(out))}")
            if manifest["left_out"]:
                console.print(f"Learner-level tables left out: {', '.join(manifest['left_out'])} "
                              "(--learner-rows to include them)")
        else:
            path = export_mqa(source, out, year, settings=settings)
            console.print(f"[green]MQA file written to[/] {escape(str(path))}")
    except ExportError as exc:
        _fail(str(exc))


def register(app: typer.Typer) -> None:
    """Add report, snapshot, snapshots and export to the `mckpi` app."""
    app.command("report")(report)
    app.command("snapshot")(snapshot)
    app.command("snapshots")(snapshots)
    app.command("export")(export)


__all__ = ["register"]
