"""`mckpi user add | list | remove | unlock`: the dashboard's local accounts (used when no identity provider is
configured).

    mckpi user add USERNAME --role management|ptj|lecturer|viewer [--ptj FSKTM ...] [--staff-id S01]
                   [--name "Dr. Aminah"] [--password-stdin] [--replace]
    mckpi user list
    mckpi user remove USERNAME
    mckpi user unlock USERNAME        (forget its failed sign-ins)

Passwords are asked twice with the input hidden (or read from the first line of stdin with --password-stdin, for
scripts) and stored only as bcrypt hashes (cost from [login] bcrypt_rounds, default 12) in paths.users
(default data/users.json). The main CLI (cli/main.py) calls `register(app)`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cli.console import cli_console
from core.config import ConfigError, Settings, load_settings

console = cli_console()  # wide without a terminal: log lines and cron mail are never cut (cli.console)
err_console = cli_console(stderr=True)

user_app = typer.Typer(help="Dashboard accounts (local sign-in): add, list, remove, unlock.", no_args_is_help=True)

ConfigOpt = Annotated[Path | None, typer.Option("--config", help="mckpi.toml to use (default: MCKPI_CONFIG, ./mckpi.toml)")]
UsersOpt = Annotated[Path | None, typer.Option("--users", help="Users file (default from config: paths.users)")]


def _fail(message: str, code: int = 1) -> None:
    err_console.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    raise typer.Exit(code)


def _settings(config: Path | None, users: Path | None) -> Settings:
    if config is not None and not config.is_file():
        _fail(f"config file {config} not found")
    try:
        settings = load_settings(config)
    except ConfigError as exc:  # a typo in mckpi.toml or an MCKPI_* variable: one line, no traceback
        _fail(str(exc))
        raise  # unreachable: _fail exits
    return settings.with_paths(users=users) if users else settings


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    first = typer.prompt("Password", hide_input=True)
    second = typer.prompt("Repeat the password", hide_input=True)
    if first != second:
        _fail("the passwords do not match")
    return first


@user_app.command("add")
def add(
    username: str,
    role: Annotated[str, typer.Option("--role", help="management | ptj | lecturer | viewer")],
    ptj: Annotated[list[str] | None, typer.Option("--ptj", help="PTj code (role ptj; repeat for several)")] = None,
    staff_id: Annotated[str | None, typer.Option("--staff-id", help="HR staff id (role lecturer)")] = None,
    name: Annotated[str, typer.Option("--name", help="Name shown in the dashboard")] = "",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin")] = False,
    replace: Annotated[bool, typer.Option("--replace", help="Replace an existing user's password and role")] = False,
    config: ConfigOpt = None,
    users: UsersOpt = None,
) -> None:
    """Add a dashboard account (the password is asked twice, hidden)."""
    from read.accounts import UserError, UserStore, check_new_password

    settings = _settings(config, users)
    password = _read_password(password_stdin)
    try:
        check_new_password(password)
        user = UserStore(settings.paths.users).add(
            username, password, role.strip().lower(), ptj_codes=tuple(ptj or ()), staff_id=staff_id,
            display_name=name, rounds=settings.login.bcrypt_rounds, replace=replace,
        )
    except UserError as exc:
        _fail(str(exc))
    scope = f" ({', '.join(user.ptj_codes)})" if user.ptj_codes else (f" (staff {user.staff_id})" if user.staff_id else "")
    console.print(f"[green]Saved[/] {escape(user.username)}: {escape(user.role)}{escape(scope)} "
                  f"in {escape(str(settings.paths.users))}")


@user_app.command("list")
def list_users(config: ConfigOpt = None, users: UsersOpt = None) -> None:
    """The dashboard accounts (no password hashes shown)."""
    from read.accounts import UserError, UserStore

    settings = _settings(config, users)
    try:
        found = UserStore(settings.paths.users).users()
    except UserError as exc:
        _fail(str(exc))
    if not found:
        console.print(f"No users in {escape(str(settings.paths.users))}")
        return
    table = Table("username", "role", "PTj", "staff id", "name", "created")
    for u in found:
        table.add_row(*(escape(v) for v in (u.username, u.role, ", ".join(u.ptj_codes), u.staff_id or "",
                                            u.display_name, u.created_at)))
    console.print(table)


@user_app.command("remove")
def remove(username: str, config: ConfigOpt = None, users: UsersOpt = None) -> None:
    """Remove a dashboard account (its open dashboard sessions end at their next click)."""
    from read.accounts import UserError, UserStore

    settings = _settings(config, users)
    try:
        removed = UserStore(settings.paths.users).remove(username)
    except UserError as exc:
        _fail(str(exc))
    if not removed:
        _fail(f"no user {username!r}")
    console.print(f"[green]Removed[/] {escape(username)}")


@user_app.command("unlock")
def unlock(username: str, config: ConfigOpt = None, users: UsersOpt = None) -> None:
    """Forget a username's failed sign-ins (after a lockout)."""
    from read.accounts import LoginLimiter

    settings = _settings(config, users)
    LoginLimiter.from_settings(settings).reset(username)
    console.print(f"[green]Unlocked[/] {escape(username)}")


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")
