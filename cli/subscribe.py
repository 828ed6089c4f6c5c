"""`mckpi subscribe add | list | remove | send`: the report in each reader's inbox, and the alert rules' messages.

    mckpi subscribe add dean-fbe --email dean.fbe@example.edu.my --role ptj --ptj FBE --when monthly --day 1 \\
        --format pdf --format xlsx --lang ms
    mckpi subscribe list
    mckpi subscribe remove dean-fbe
    mckpi subscribe send                 # the timer: what is due, then the alert rules (exit 1 if a send failed)
    mckpi subscribe send dean-fbe        # this one now, whatever its schedule
    mckpi subscribe send dean-fbe --preview out/   # write the message as .eml instead of sending it

The main CLI (cli/main.py) adds `subscribe_app` as the `subscribe` group. SMTP settings: [mail] in mckpi.toml, the
password from the environment (deploy/mckpi.env.example).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cli.console import cli_console
from core.config import Settings, load_settings

console = cli_console()  # wide without a terminal: log lines and cron mail are never cut (cli.console)
err_console = cli_console(stderr=True)

subscribe_app = typer.Typer(help="Report subscriptions by e-mail, and alert rules.", no_args_is_help=True)

ConfigOpt = Annotated[Path | None, typer.Option("--config", help="mckpi.toml to use (default: MCKPI_CONFIG, ./mckpi.toml)")]
EX_TEMPFAIL = 75


def _fail(message: str, code: int = 1) -> None:
    err_console.print(f"[bold red]error:[/] {escape(message)}")
    raise typer.Exit(code)


def _settings(config: Path | None) -> Settings:
    if config is not None and not config.is_file():
        _fail(f"config file {config} not found")
    return load_settings(config)


@subscribe_app.command("add")
def add(
    sub_id: Annotated[str, typer.Argument(metavar="ID", help="A short name, e.g. dean-fbe-monthly")],
    email: Annotated[str, typer.Option("--email", help="The recipient's address")],
    role: Annotated[str, typer.Option("--role", help="management or ptj: the report is built for this role")],
    ptj: Annotated[list[str] | None, typer.Option("--ptj", help="role ptj: the PTj (repeat for more)")] = None,
    what: Annotated[str, typer.Option("--what", help="report (ministry / management report) or overview (scorecard)")] = "report",
    fmt: Annotated[list[str] | None, typer.Option("--format", help="pdf and/or xlsx (repeat); default pdf")] = None,
    lang: Annotated[str, typer.Option("--lang", help="en or ms")] = "en",
    when: Annotated[str, typer.Option("--when", help="refresh, weekly, monthly or reporting")] = "monthly",
    day: Annotated[int | None, typer.Option("--day", help="weekly: 1 (Mon)..7; monthly: 1..28; default 1")] = None,
    year: Annotated[int | None, typer.Option("--year", help="Report this year (default: the data's current year)")] = None,
    config: ConfigOpt = None,
) -> None:
    """Add a subscription (to paths.subscriptions)."""
    from read.subscriptions import SubscriptionError, make_subscription
    from read.subscriptions import add as add_subscription

    settings = _settings(config)
    try:
        sub = make_subscription({"id": sub_id, "email": email, "role": role, "ptj_codes": ptj or [], "what": what,
                                 "formats": fmt or ["pdf"], "lang": lang, "when": when, "day": day, "year": year},
                                where="mckpi subscribe add")
        add_subscription(settings, sub)
    except SubscriptionError as exc:
        _fail(str(exc))
    console.print(f"[green]Subscription[/] [bold]{escape(sub.id)}[/]: {escape(sub.email)} gets the {sub.what} "
                  f"({'+'.join(sub.formats)}, {sub.lang}) for {sub.role} {escape(sub.scope_label)}, "
                  f"{sub.schedule_label}")


@subscribe_app.command("list")
def list_(config: ConfigOpt = None) -> None:
    """The subscriptions (from the file and mckpi.toml) with their last send."""
    from read.mail_state import read_state
    from read.subscriptions import SubscriptionError, all_subscriptions

    settings = _settings(config)
    try:
        subs = all_subscriptions(settings)
        state = read_state(settings.paths.mail_state)["subscriptions"]
    except (SubscriptionError, ValueError) as exc:
        _fail(str(exc))
    if not subs:
        console.print("No subscriptions (add one with `mckpi subscribe add ID --email ... --role ...`)")
        return
    table = Table(title="Subscriptions", title_justify="left")
    for col in ("id", "email", "role", "scope", "what", "formats", "lang", "when", "from", "last send"):
        table.add_column(col)
    for s in subs:
        e = state.get(s.id, {})
        last = ""
        if e.get("last_result") == "failed":
            last = f"[red]failed x{e.get('failures')}[/] {escape(str(e.get('last_error') or ''))[:80]}"
        elif e.get("last_sent_at"):
            last = f"sent {str(e['last_sent_at'])[:16].replace('T', ' ')} ({escape(str(e.get('last_period')))})"
        table.add_row(s.id, escape(s.email), s.role, escape(s.scope_label), s.what, "+".join(s.formats), s.lang,
                      s.schedule_label, s.source, last)
    console.print(table)


@subscribe_app.command("remove")
def remove(sub_id: Annotated[str, typer.Argument(metavar="ID")], config: ConfigOpt = None) -> None:
    """Remove a subscription added with `mckpi subscribe add`."""
    from read.subscriptions import SubscriptionError
    from read.subscriptions import remove as remove_subscription

    settings = _settings(config)
    try:
        removed = remove_subscription(settings, sub_id)
    except SubscriptionError as exc:
        _fail(str(exc))
    console.print(f"Removed [bold]{escape(removed.id)}[/] ({escape(removed.email)})")


@subscribe_app.command("send")
def send(
    ids: Annotated[list[str] | None, typer.Argument(metavar="[ID]...", help="Send these now (default: what is due)")] = None,
    no_alerts: Annotated[bool, typer.Option("--no-alerts", help="Do not check the alert rules")] = False,
    preview: Annotated[Path | None, typer.Option("--preview", help="Write the messages as .eml files to this folder, send nothing")] = None,
    config: ConfigOpt = None,
) -> None:
    """Send the subscriptions that are due (or those named), then the alert rules' changes. Exit 1 when a send
    failed (it is recorded, shown by `mckpi status` and tried again next run), 75 when another sender runs."""
    from etl.refresh import setup_logging
    from read.mail_state import SenderBusy
    from read.sender import send_due
    from read.subscriptions import SubscriptionError

    settings = _settings(config)
    if preview is not None:
        _preview(settings, ids or [], preview)
        return
    setup_logging()
    try:
        run = send_due(settings, ids=ids or None, alerts=not no_alerts)
    except SenderBusy as exc:
        _fail(f"not started: {exc}", EX_TEMPFAIL)
    except SubscriptionError as exc:
        _fail(str(exc))
    for r in run.results:
        if r.ok:
            console.print(f"[green]sent[/] {escape(r.subscription.id)} to {escape(r.subscription.email)} "
                          f"({escape(r.period)}, {r.size:,} bytes, attempt {r.attempts})")
        else:
            console.print(f"[red]failed[/] {escape(r.subscription.id)} to {escape(r.subscription.email)}: "
                          f"{escape(r.error)}")
    for a in run.alerts:
        colour = "green" if a.ok else "red"
        console.print(f"[{colour}]alert {a.change}[/] {escape(a.rule_id)}: {escape(a.detail)}"
                      + ("" if a.ok else f" (not delivered: {escape('; '.join(a.errors))})"))
    if not run.results and not run.alerts:
        console.print("Nothing due.")
    if not run.ok:
        raise typer.Exit(1)


def _preview(settings: Settings, ids: list[str], folder: Path) -> None:
    """Build the messages (under each recipient's scope) and write them as .eml; nothing is sent or recorded."""
    from read.digest import DigestError, build_digest
    from read.mail import build_message
    from read.report import ReportError
    from read.subscriptions import SubscriptionError, all_subscriptions

    try:
        subs = [s for s in all_subscriptions(settings) if not ids or s.id in ids]
    except SubscriptionError as exc:
        _fail(str(exc))
    if unknown := sorted(set(ids) - {s.id for s in subs}):
        _fail(f"no subscription {unknown[0]!r} (see `mckpi subscribe list`)")
    folder.mkdir(parents=True, exist_ok=True)
    for sub in subs:
        try:
            digest = build_digest(settings.paths.warehouse, sub, settings)
        except (DigestError, ReportError) as exc:
            _fail(f"{sub.id}: {exc}")
        message = build_message(settings.mail, to=sub.email, subject=digest.subject, text=digest.text,
                                html=digest.html, attachments=digest.attachments)
        path = folder / f"{sub.id}.eml"
        path.write_bytes(bytes(message))
        console.print(f"wrote {escape(str(path))} ({digest.size:,} bytes attached)")


__all__ = ["subscribe_app"]
