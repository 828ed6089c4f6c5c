"""The `mckpi` command line (typer + rich): one command per verb.

    mckpi demo [--enrolments N] [--seed S] [--landing DIR] [--if-empty]
    mckpi etl [--landing DIR] [--warehouse PATH] [--config FILE] [--full]
    mckpi refresh [--landing DIR] [--warehouse PATH] [--config FILE] [-v]   (scheduled: etl + archive, etl/refresh.py)
    mckpi status [--warehouse PATH]    (exit 1 when the last run failed or the data is older than freshness.max_age_hours)
    mckpi templates [--out data/templates]
    mckpi builds / mckpi rollback RUN_ID
    mckpi kpi ...                      (etl/cli_kpi.py)
    mckpi report | snapshot | snapshots | export   (etl/cli_reports.py)
    mckpi user add | list | remove | unlock        (etl/cli_users.py: dashboard accounts)

`python -m cli.main ...` works the same.
"""

from __future__ import annotations

import contextlib
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cli.console import cli_console
from core.config import ConfigError, Settings, load_settings

app = typer.Typer(
    name="mckpi",
    help="Microcredential and MOOC KPIs: demo data, ETL into DuckDB, warehouse status.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = cli_console()  # wide without a terminal: log lines and cron mail are never cut (cli.console)
err_console = cli_console(stderr=True)

ConfigOpt = Annotated[
    Path | None, typer.Option("--config", help="mckpi.toml to use (default: MCKPI_CONFIG, ./mckpi.toml)")
]
WarehouseOpt = Annotated[
    Path | None, typer.Option("--warehouse", help="Published warehouse path (default from config)")
]
LandingOpt = Annotated[Path | None, typer.Option("--landing", help="Landing folder (default from config)")]


def _settings(config: Path | None) -> Settings:
    if config is not None and not config.is_file():
        _fail(f"config file {config} not found")
    try:
        return load_settings(config)
    except ConfigError as exc:  # a typo in mckpi.toml or an MCKPI_* variable: one line, no traceback
        _fail(str(exc))
        raise  # unreachable: _fail exits


def _fail(message: str, code: int = 1) -> None:
    err_console.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)  # one line, also in logs
    raise typer.Exit(code)


def _age(delta_seconds: float) -> str:
    minutes = int(delta_seconds // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min ago"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min ago"
    return f"{hours // 24} days ago"


@app.command()
def demo(
    enrolments: Annotated[int, typer.Option(help="Enrolments to generate")] = 50_000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same files)")] = 42,
    landing: LandingOpt = None,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Do nothing when the landing folder has files")
    ] = False,
    config: ConfigOpt = None,
) -> None:
    """Write demo landing files (a made-up university) into the landing folder."""
    settings = _settings(config)
    folder = landing or settings.paths.landing
    if (
        if_empty
        and folder.exists()
        and any(
            p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
            for p in folder.rglob("*")
        )
    ):
        console.print(f"[dim]{escape(str(folder))} already has files: demo data not written[/]")
        return
    from etl.demo import generate  # a broken import fails loudly
    folder.mkdir(parents=True, exist_ok=True)
    with console.status(f"Generating {enrolments:,} demo enrolments (seed {seed}) ..."):
        generate(folder, enrolments, seed)
    console.print(f"[green]Demo data written to[/] {escape(str(folder))}")


@app.command()
def etl(
    landing: LandingOpt = None,
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
    full: Annotated[
        bool, typer.Option("--full", help="Rebuild from every landing file, not only new ones")
    ] = False,
    oulad: Annotated[
        Path | None,
        typer.Option("--oulad", help="Convert this OULAD folder into landing files (oulad_* streams) first",
                     exists=True, file_okay=False),
    ] = None,
) -> None:
    """Load new landing files, build the models, run the checks, publish a new warehouse."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from core.errors import EtlError
    from etl.load import run_etl

    settings = _settings(config)
    if oulad is not None:
        from etl.sources.oulad import convert_oulad

        # OULAD becomes ordinary landing files, so the same contracts, quarantine and models apply to it.
        target = landing or settings.paths.landing
        summary = convert_oulad(oulad, target)
        console.print(
            f"OULAD {escape(str(oulad))}: {summary.courses} modules, {summary.runs} presentations, "
            f"{summary.enrolments:,} registrations, {summary.results:,} results -> {escape(str(target))}"
        )
    progress = Progress(
        TextColumn("[bold]loading"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=console,
        transient=True,
    )
    task_id = None

    def on_file(rel: str, done: int, total: int) -> None:
        nonlocal task_id
        if task_id is None:
            task_id = progress.add_task("", total=total)
        progress.update(task_id, completed=done, description=escape(rel))

    # A scheduler's SIGTERM unwinds like Ctrl-C: the half-built file is removed and the run is logged as failed.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        with progress:
            result = run_etl(settings, landing, warehouse, progress=on_file, full=full)
    except EtlError as exc:
        partial = exc.result
        if partial is not None and getattr(partial, "files", None):
            _print_summary(partial)
        _fail(f"ETL failed: {exc}")
    _print_summary(result)
    seconds = (result.finished_at - result.started_at).total_seconds() if result.finished_at else 0.0
    console.print(
        f"[green]Published[/] run [bold]{result.run_id}[/] -> {escape(str(result.warehouse))} "
        f"({result.rows_loaded:,} rows loaded, {result.rows_quarantined:,} quarantined, {seconds:.1f} s)"
    )
    if result.problems:
        _print_problems(result.problems)
        raise typer.Exit(result.exit_code)


def _print_problems(problems: list[str]) -> None:
    """On stderr, so cron mail and journald show them; the exit code (3) says the same to a scheduler."""
    err_console.print(
        f"[bold yellow]incomplete:[/] published, but {len(problems)} problem{'s' if len(problems) > 1 else ''}"
        " kept this run from loading everything (exit 3):",
        soft_wrap=True,
    )
    for problem in problems:
        err_console.print(f"  - {escape(problem)}", soft_wrap=True)


@app.command()
def refresh(
    landing: LandingOpt = None,
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="One line per landing file")] = False,
) -> None:
    """Scheduled refresh: load the landing files, publish, move them to the archive. Plain log lines; exit 0 on
    success, 1 on failure (one line on stderr, nothing published, files left in landing), 75 when another run
    holds the lock."""
    from etl.refresh import refresh as run_refresh
    from etl.refresh import setup_logging

    settings = _settings(config)
    setup_logging(sys.stdout, verbose=verbose)
    # A scheduler's SIGTERM unwinds like Ctrl-C: the half-built file is removed and the run is logged as failed.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    outcome = run_refresh(settings, landing, warehouse)
    sys.stdout.flush()
    if outcome.error:
        print(outcome.error, file=sys.stderr, flush=True)
    if outcome.exit_code in (0, 3):  # published (3: incomplete): the subscriptions and alerts due, never failing it
        from read.sender import after_refresh

        after_refresh(settings if warehouse is None else settings.with_paths(warehouse=warehouse))
    raise typer.Exit(outcome.exit_code)


def _print_summary(result) -> None:  # noqa: ANN001 - EtlResult, imported lazily
    table = Table(title=f"ETL run {result.run_id}", title_justify="left")
    table.add_column("source")
    table.add_column("files", justify="right")
    table.add_column("loaded", justify="right")
    table.add_column("skipped", justify="right")
    table.add_column("rows read", justify="right")
    table.add_column("rows loaded", justify="right")
    table.add_column("quarantined", justify="right")
    for s in result.by_source():
        quarantined = f"[yellow]{s.rows_quarantined:,}[/]" if s.rows_quarantined else "0"
        table.add_row(
            s.source,
            str(s.files),
            str(s.files_loaded),
            str(s.files_skipped),
            f"{s.rows_read:,}",
            f"{s.rows_loaded:,}",
            quarantined,
        )
    console.print(table)
    # Every file that did not load, by name, with why: "ignored 6" says nothing a person can act on.
    not_loaded = [f for f in result.files if f.status != "loaded"]
    if not_loaded:
        console.print(f"Not loaded ({len(not_loaded)} files):")
        for f in not_loaded:
            console.print(f"  {f.status}: {escape(f.rel)}" + (f" ({escape(f.note)})" if f.note else ""))
    for f in result.files:
        if f.status == "loaded" and f.note:
            console.print(f"  loaded: {escape(f.rel)} ({escape(f.note)})")
    if result.top_quarantine:
        console.print("Quarantined in this run, most rows first (all of them: `mckpi status`, Data freshness page):")
        for reason in result.top_quarantine:
            console.print(f"  {escape(str(reason))}")
    listed = tuple(f"{f.rel}: " for f in not_loaded)
    for warning in result.warnings:
        if not warning.startswith(listed):
            console.print(f"[yellow]warning:[/] {escape(warning)}", soft_wrap=True)


@app.command()
def status(warehouse: WarehouseOpt = None, config: ConfigOpt = None, runs: int = 10) -> None:
    """The published warehouse, the last ETL runs and what is in quarantine. Exit code 1 when the last run
    failed or the published data is older than freshness.max_age_hours (for monitoring)."""
    import duckdb

    from core.published import published_run_id, published_target
    from etl.publish import list_builds
    from etl.runlog import published_runs

    settings = _settings(config)
    published = warehouse or settings.paths.warehouse
    target = published_target(published)
    data_age_hours: float | None = None
    if target is None:
        console.print(f"[yellow]No warehouse published at {escape(str(published))}[/] (run `mckpi etl`)")
    else:
        info: dict[str, str] = {}
        quarantine: list[tuple] = []
        from read.warehouse import Warehouse

        wh = Warehouse(published)  # the read layer's one handle (read-only, never a lock error)
        try:
            info = {r["key"]: r["value"] for r in wh.query("select key, value from warehouse_info").to_pylist()}
            quarantine = [tuple(r.values()) for r in wh.query(
                "select source, column_name, regexp_replace(reason, '[0-9]+', 'N', 'g') as reason, count(*) as n"
                " from quarantine group by all order by 4 desc, 1, 2, 3 limit 20").to_pylist()]
        except (duckdb.Error, OSError) as exc:
            _fail(f"cannot read {published}: {exc}")
        finally:
            wh.close()
        run_id = info.get("etl_run_id") or published_run_id(published) or "?"
        age = ""
        if info.get("published_at"):
            published_at = datetime.fromisoformat(info["published_at"])
            data_age_hours = (datetime.now(UTC) - published_at).total_seconds() / 3600
            age = f", published {info['published_at']} ({_age((datetime.now(UTC) - published_at).total_seconds())})"
        demo = " [magenta](demo data)[/]" if info.get("is_demo") == "true" else ""
        console.print(f"Published: run [bold]{run_id}[/]{escape(age)}{demo}")
        console.print(f"  {escape(str(published))} -> {escape(str(target))}")
        if info.get("pseudonym_key_is_demo") == "true" and info.get("is_demo") != "true":
            console.print("[yellow]  learner ids were hashed with the demo key: set MCKPI_PSEUDONYM_KEY[/]")
        if quarantine:
            q = Table(title="Quarantined rows (by source, column and reason)", title_justify="left")
            for col in ("source", "column", "reason", "rows"):
                q.add_column(col, justify="right" if col == "rows" else "left")
            for source, column, reason, count in quarantine:
                q.add_row(source, column or "", escape(reason), f"{count:,}")
            console.print(q)
        else:
            console.print("  nothing in quarantine")
        builds = list_builds(published)
        console.print(
            f"  builds kept: {', '.join(b.run_id + ('*' if b.is_published else '') for b in builds)}"
        )

    history = published_runs(published)[-runs:]
    if history:
        t = Table(title=f"Last {len(history)} ETL runs", title_justify="left")
        for col in (
            "run",
            "status",
            "age",
            "started (UTC)",
            "seconds",
            "files loaded",
            "skipped",
            "rows loaded",
            "quarantined",
            "message",
        ):
            # The key columns never shrink or wrap, whatever the terminal (cron mail has none).
            t.add_column(col, no_wrap=col in {"run", "status", "age", "started (UTC)"})
        for r in reversed(history):
            started = str(r.get("started_at") or "")[:19].replace("T", " ")
            seconds = ""
            if r.get("started_at") and r.get("finished_at"):
                seconds = f"{(datetime.fromisoformat(str(r['finished_at'])) - datetime.fromisoformat(str(r['started_at']))).total_seconds():.1f}"
            colour = {"succeeded": "green", "failed": "red", "incomplete": "yellow"}.get(str(r.get("status")), "yellow")
            ended = r.get("finished_at") or r.get("started_at")
            age = ""
            if ended:
                with contextlib.suppress(ValueError, TypeError):
                    age = _age((datetime.now(UTC) - datetime.fromisoformat(str(ended))).total_seconds())
            t.add_row(
                str(r.get("run_id")),
                f"[{colour}]{r.get('status')}[/]",
                age,
                started,
                seconds,
                str(r.get("files_loaded") or 0),
                str(r.get("files_skipped") or 0),
                f"{int(r.get('rows_loaded') or 0):,}",
                f"{int(r.get('rows_quarantined') or 0):,}",
                escape(str(r.get("message") or ""))[:120],
            )
        console.print(t)

    # For monitoring (a cron job, a Nagios-style check): exit non-zero with the reason when something needs a look.
    problems = []
    code = 0
    if history and history[-1].get("status") == "failed":
        last = history[-1]
        problems.append(f"the last ETL run {last.get('run_id')} failed: {last.get('message') or '?'}")
        code = 1
    elif history and history[-1].get("status") == "incomplete":
        last = history[-1]
        problems.append(f"the last ETL run {last.get('run_id')} {last.get('message') or 'was incomplete'}")
        code = 3
    max_age = settings.freshness.max_age_hours
    if data_age_hours is not None and data_age_hours > max_age:
        problems.append(
            f"the published data is {data_age_hours:.0f} h old (freshness.max_age_hours is {max_age:g})"
        )
        code = code or 1
    from read.sender import failed_sends  # subscriptions and alerts whose last send failed

    for sub_id, entry in failed_sends(settings):
        problems.append(f"subscription {sub_id}: last send failed ({entry.get('failures')} attempt run(s), "
                        f"{entry.get('last_attempt_at') or '?'}): {entry.get('last_error') or '?'}")
        code = code or 1
    for problem in problems:
        err_console.print(f"[bold red]problem:[/] {escape(problem)}", soft_wrap=True)
    if code:
        raise typer.Exit(code)


@app.command()
def templates(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the templates to")] = Path(
        "data/templates"
    ),
) -> None:
    """Write one CSV template per source (header and two example rows), from the contracts."""
    from core.contracts import write_templates

    for path in write_templates(out):
        console.print(f"wrote {escape(str(path))}")


@app.command()
def builds(warehouse: WarehouseOpt = None, config: ConfigOpt = None) -> None:
    """List the warehouse builds kept for rollback (* = published)."""
    from etl.publish import list_builds

    settings = _settings(config)
    for b in list_builds(warehouse or settings.paths.warehouse):
        console.print(f"{'*' if b.is_published else ' '} {b.run_id}  {b.bytes / 1e6:,.1f} MB")


@app.command()
def rollback(run_id: str, warehouse: WarehouseOpt = None, config: ConfigOpt = None) -> None:
    """Publish an earlier build again."""
    from core.errors import EtlError
    from etl.publish import rollback as do_rollback

    settings = _settings(config)
    try:
        target = do_rollback(warehouse or settings.paths.warehouse, run_id)
    except EtlError as exc:
        _fail(str(exc))
    console.print(f"[green]Published[/] {escape(str(target))}")


# Sub-apps in their own modules; a broken import fails loudly (no try/except ImportError around them).
from cli.kpi import kpi_app  # noqa: E402
from cli.reports import register as register_reports  # noqa: E402
from cli.setup import register as register_setup  # noqa: E402
from cli.subscribe import subscribe_app  # noqa: E402
from cli.users import register as register_users  # noqa: E402

app.add_typer(kpi_app, name="kpi")
register_reports(app)  # report, snapshot, snapshots, export
register_users(app)  # user add | list | remove | unlock: the dashboard's local accounts
register_setup(app)  # init, doctor: the way in for a university's own files
app.add_typer(subscribe_app, name="subscribe")  # add | list | remove | send: reports by e-mail, alert rules

def main() -> None:
    """The `mckpi` entry point: a failure nobody foresaw is one line on stderr that says where its traceback was
    written (etl.errorlog), never a traceback in the terminal or in cron mail."""
    try:
        app()
    except KeyboardInterrupt:
        err_console.print("[bold red]error:[/] interrupted", soft_wrap=True)
        sys.exit(130)
    except ConfigError as exc:  # a typo in mckpi.toml or an MCKPI_* variable (a command that read it directly)
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - the last resort, by design
        from etl.errorlog import write_traceback

        folder = None
        with contextlib.suppress(Exception):
            folder = load_settings().paths.warehouse.parent
        path = write_traceback(exc, folder)
        where = f"the details are in {path}" if path else "no log file could be written"
        text = " ".join((str(exc).strip() or type(exc).__name__).split())
        err_console.print(
            f"[bold red]error:[/] {escape(type(exc).__name__)}: {escape(text)} — this is a bug or a problem of the"
            f" machine, not of your data; {escape(where)} (send it with a bug report)",
            soft_wrap=True,
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
