"""`mckpi init DIR` and `mckpi doctor`: the way in for a university's own files.

    mckpi init data/landing                 a landing folder: one sub-folder per source, templates/, README.md
    mckpi doctor [--landing DIR] [--todo DIR]
        what is there, what is missing, what would not load; skeletons for unknown FutureLearn runs.
        Exit 0 only when an ETL of the folder would load every file.

The main CLI (cli/main.py) calls `register(app)`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from cli.console import cli_console
from core.config import load_settings
from core.contracts import CONTRACTS, REQUIRED_SOURCES, write_templates
from etl.discover import FUTURELEARN_FOLDER, TEMPLATES_FOLDER

console = cli_console()  # wide without a terminal: log lines and cron mail are never cut (cli.console)

LANDING_README = """# mckpi landing folder

Put each export in the folder of its source, as CSV (UTF-8, comma-separated) or .csv.gz; sub-folders are fine.
The header must be the one in `templates/<source>.csv` (the two example rows show the formats).
`mckpi doctor --landing {landing}` says what is here, what is missing and what would not load.

| folder | what | how a new file counts |
|---|---|---|
{rows}

- Required before anything else loads: {required}.
- FutureLearn: put the partner download as it comes in `futurelearn/` (per-run folders such as `Run-1/`,
  FutureLearn's own file names `<run>_<dataset>.csv[.gz]`). Each run label (the part before `_enrolments`) must be
  the `platform_run_label` of a row in `course_runs/`; `mckpi doctor` writes those rows for you to complete.
- A date stamp at the end of a name (`courses_2026-11-01.csv`) orders deliveries of the same file.
- `templates/` and this README are for people: the ETL never loads them.
- Then: `mckpi etl --landing {landing}` (or `mckpi refresh` on a schedule), and `mckpi status`.
"""

MODES = {
    "snapshot": "replaces the previous delivery of the same file",
    "snapshot_per_run": "replaces the previous export of the same run",
    "append": "adds rows; a key already loaded is quarantined, never counted twice",
}


def init(
    folder: Annotated[Path, typer.Argument(help="The landing folder to create (e.g. data/landing)")],
) -> None:
    """Create a landing folder: one sub-folder per source, its templates in templates/, and a short README."""
    folder.mkdir(parents=True, exist_ok=True)
    for contract in CONTRACTS.values():
        (folder / contract.folder).mkdir(exist_ok=True)
    write_templates(folder / TEMPLATES_FOLDER)
    seen: set[str] = set()
    rows = []
    for contract in CONTRACTS.values():
        if contract.folder in seen:
            continue
        seen.add(contract.folder)
        what = "FutureLearn exports (enrolments, step activity)" if contract.folder == FUTURELEARN_FOLDER else (
            contract.title)
        rows.append(f"| `{contract.folder}/` | {what} | {MODES[contract.load_mode]} |")
    readme = folder / "README.md"
    if not readme.exists():
        readme.write_text(
            LANDING_README.format(
                landing=folder, rows="\n".join(rows), required=", ".join(f"`{r}/`" for r in REQUIRED_SOURCES)
            ),
            encoding="utf-8",
        )
    console.print(f"[green]Landing folder ready:[/] {escape(str(folder))}")
    console.print(f"  one folder per source, templates in {escape(str(folder / TEMPLATES_FOLDER))}, README.md")
    console.print(f"  next: copy the exports in, then `mckpi doctor --landing {escape(str(folder))}`")


def doctor(
    landing: Annotated[Path | None, typer.Option("--landing", help="Landing folder (default from config)")] = None,
    warehouse: Annotated[Path | None, typer.Option("--warehouse", help="Published warehouse (default from config)")] = None,
    todo: Annotated[
        Path | None,
        typer.Option("--todo", help="Where to write skeleton CSVs to complete (default: <landing>-todo beside it)"),
    ] = None,
    config: Annotated[Path | None, typer.Option("--config", help="mckpi.toml to use")] = None,
) -> None:
    """Check a landing folder before an ETL: what is there, what is missing, what would not load. Exit 0 only
    when an ETL would load every file."""
    from etl.doctor import examine, write_skeletons

    settings = load_settings(config)
    folder = landing or settings.paths.landing
    published = warehouse or settings.paths.warehouse
    if not folder.is_dir():
        console.print(f"[red]No landing folder at {escape(str(folder))}[/]: create one with `mckpi init {escape(str(folder))}`")
        raise typer.Exit(1)
    report = examine(folder, _warehouse_facts(published))
    console.print(f"[bold]Landing folder[/] {escape(str(folder))}: {len(report.files)} files")

    console.print("\n[bold]Sources[/]")
    for name, contract in CONTRACTS.items():
        files = report.by_source.get(name, [])
        held = report.in_warehouse.get(name, 0)
        required = " (required)" if name in REQUIRED_SOURCES else ""
        if files:
            console.print(f"  [green]ok[/]       {name}{required}: {len(files)} file{'s' if len(files) > 1 else ''}")
        elif held:
            console.print(f"  [green]ok[/]       {name}{required}: no new file; {held:,} rows already in the warehouse")
        elif required:
            console.print(
                f"  [red]missing[/]  {name}{required}: put {contract.folder}/*.csv here"
                f" (template: data/templates/{contract.template_name}, or `mckpi init` puts it in templates/)"
            )
        else:
            console.print(f"  [dim]none[/]     {name}: no file (optional)")

    if report.file_errors:
        console.print("\n[bold]Files the ETL would refuse[/] (the run would fail, nothing published)")
        for error in report.file_errors:
            console.print(f"  [red]x[/] {escape(error)}")
    if report.not_loaded:
        console.print("\n[bold]Files that would not load[/]")
        for lf in report.not_loaded:
            console.print(f"  [yellow]![/] {escape(lf.rel)}: {escape(lf.note)}")
    if report.unused:
        console.print("\n[bold]FutureLearn exports recognised, not loaded[/]")
        for lf in report.unused:
            console.print(f"  [dim]-[/] {escape(lf.rel)}: {escape(lf.note)}")

    if report.unknown_runs:
        console.print("\n[bold]FutureLearn runs with no course run[/] (their rows would all be quarantined)")
        for run in report.unknown_runs:
            dates = ""
            if run.first_enrolled:
                dates = f"; enrolments {run.first_enrolled} to {run.last_enrolled}"
            if run.first_step_visit:
                dates += f"; first step visit {run.first_step_visit}, {run.weeks} weeks"
            console.print(f"  [yellow]?[/] {escape(run.label)}: {len(run.files)} file{'s' if len(run.files) > 1 else ''}{escape(dates)}")
        out = todo or folder.parent / f"{folder.name}-todo"
        written = write_skeletons(report, out)
        console.print("\n[bold]Skeletons written[/] (fill in the empty columns, then move them into the landing folder)")
        for path in written:
            target = "course_runs/" if path.name == "course_runs.csv" else "courses/"
            console.print(f"  {escape(str(path))} -> {escape(str(folder / target))}")
        console.print(
            "  filled in: run ids, labels, course codes, titles, weeks (from step activity), launch dates; yours to"
            " give: starts_on, and the courses' PTj, MQA category, type, mode, fees and owner"
        )

    if report.ok:
        console.print("\n[green]Ready:[/] an ETL would load every file (row-level problems are quarantined by it)")
        return
    console.print("\n[red]Not ready:[/] fix the points above, then run `mckpi doctor` again")
    raise typer.Exit(1)


def _warehouse_facts(published: Path):  # noqa: ANN202 - etl.doctor.WarehouseFacts
    """What the published warehouse holds, read through the read layer's handle (none published: nothing)."""
    import duckdb

    from core.published import published_target
    from etl.doctor import RUN_LABELS_SQL, WAREHOUSE_FACTS_SQL, WarehouseFacts
    from read.warehouse import Warehouse

    if published_target(published) is None:
        return WarehouseFacts()
    wh = Warehouse(published)
    try:
        rows = {name: int(wh.query(sql).to_pylist()[0]["n"]) for name, sql in WAREHOUSE_FACTS_SQL.items()}
        labels = {r["platform_run_label"]: r["course_code"] for r in wh.query(RUN_LABELS_SQL).to_pylist()}
    except (duckdb.Error, OSError):
        return WarehouseFacts()
    finally:
        wh.close()
    return WarehouseFacts(rows, labels)


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("doctor")(doctor)


__all__ = ["register"]
