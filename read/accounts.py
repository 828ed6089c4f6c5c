"""Dashboard accounts without streamlit: local users (bcrypt hashes in `paths.users`), sign-in attempts and
lockout (login_attempts.sqlite next to the users file), sessions and their timeouts, and which sign-in applies
(`gate_mode`). The sign-in page itself is dashboard/auth.py; `mckpi user ...` (cli/users.py) manages the users.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import bcrypt

from core.config import Settings
from read.access import (
    MANAGEMENT,
    ROLES,
    AccessConfigError,
    Identity,
    check_role,
    normalise_username,
    valid_username,
)

MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_BYTES = 72  # bcrypt's limit: refused when setting, never silently cut
MAX_DELAY_S = 8.0
SESSION_KEY = "_mckpi_session"
DEMO_ENV = "MCKPI_DEMO"

# A hash of a random password: checked against when the username is unknown, so a wrong username takes as long
# as a wrong password (no user enumeration by timing).
_DUMMY_HASH = bcrypt.hashpw(os.urandom(16).hex().encode(), bcrypt.gensalt(12))


class UserError(ValueError):
    """A users-file operation that cannot be done (bad username, weak password, unknown user ...)."""


# --- passwords -------------------------------------------------------------------------------------------------


def check_new_password(password: str) -> None:
    if "\x00" in password:
        raise UserError("the password may not contain a NUL character")
    if len(password) < MIN_PASSWORD_CHARS:
        raise UserError(f"the password needs at least {MIN_PASSWORD_CHARS} characters")
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise UserError(f"the password may be at most {MAX_PASSWORD_BYTES} bytes (bcrypt's limit)")


def hash_password(password: str, rounds: int = 12) -> str:
    check_new_password(password)
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds)).decode("ascii")


def verify_password(password: str, hashed: str | bytes) -> bool:
    """True when `password` matches; False for anything malformed (never raises)."""
    try:
        data = password.encode("utf-8")
        if not data or len(data) > MAX_PASSWORD_BYTES or b"\x00" in data:
            bcrypt.checkpw(b"x", _DUMMY_HASH)  # same work as a real check
            return False
        return bcrypt.checkpw(data, hashed.encode("ascii") if isinstance(hashed, str) else hashed)
    except (ValueError, TypeError, UnicodeError):
        return False


# --- the users file --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LocalUser:
    username: str
    password_hash: str
    role: str
    ptj_codes: tuple[str, ...] = ()
    staff_id: str | None = None
    display_name: str = ""
    created_at: str = ""

    def identity(self) -> Identity:
        return Identity(user=self.username, role=self.role, ptj_codes=self.ptj_codes, staff_id=self.staff_id,
                        source="local", display_name=self.display_name)

    def public(self) -> dict[str, Any]:
        return {"username": self.username, "role": self.role, "ptj_codes": list(self.ptj_codes),
                "staff_id": self.staff_id, "display_name": self.display_name, "created_at": self.created_at}


class UserStore:
    """data/users.json: {"version": 1, "users": {username: {password_hash, role, ptj_codes, staff_id, ...}}}.
    Written whole to a temporary file and renamed (mode 0600), so a reader never sees half a file."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def exists(self) -> bool:
        return self.path.is_file()

    def _read(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise UserError(f"{self.path}: cannot read the users file ({exc})") from None
        users = data.get("users") if isinstance(data, dict) else None
        if not isinstance(users, dict):
            raise UserError(f"{self.path}: not a users file (no 'users' object)")
        return users

    def _write(self, users: Mapping[str, Mapping[str, Any]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".users-", suffix=".json", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"version": 1, "users": users}, fh, indent=2, sort_keys=True)
                fh.write("\n")
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @staticmethod
    def _user(name: str, entry: Mapping[str, Any]) -> LocalUser:
        return LocalUser(
            username=name,
            password_hash=str(entry.get("password_hash", "")),
            role=str(entry.get("role", "")),
            ptj_codes=tuple(str(c) for c in entry.get("ptj_codes") or ()),
            staff_id=entry.get("staff_id") or None,
            display_name=str(entry.get("display_name") or ""),
            created_at=str(entry.get("created_at") or ""),
        )

    def users(self) -> list[LocalUser]:
        return [self._user(name, entry) for name, entry in sorted(self._read().items()) if isinstance(entry, dict)]

    def get(self, username: str) -> LocalUser | None:
        name = normalise_username(username)
        if not valid_username(name):
            return None
        try:
            entry = self._read().get(name)
        except UserError:
            return None
        return self._user(name, entry) if isinstance(entry, dict) else None

    def add(self, username: str, password: str, role: str, *, ptj_codes: tuple[str, ...] = (),
            staff_id: str | None = None, display_name: str = "", rounds: int = 12, replace: bool = False) -> LocalUser:
        name = normalise_username(username)
        if not valid_username(name):
            raise UserError("a username is 1-64 characters: lower-case letters, digits and . _ @ - "
                            "(starting with a letter or digit)")
        codes = tuple(sorted({c.strip().upper() for c in ptj_codes if c.strip()}))
        staff = (staff_id or "").strip() or None
        try:
            check_role(role, codes, staff)
        except AccessConfigError as exc:
            raise UserError(str(exc)) from None
        if role != "ptj" and codes:
            raise UserError(f"--ptj applies to role ptj only, not {role}")
        entry = {
            "password_hash": hash_password(password, rounds),
            "role": role,
            "ptj_codes": list(codes),
            "staff_id": staff if role == "lecturer" else None,
            "display_name": display_name.strip()[:100],
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        with self._lock:
            users = self._read()
            if name in users and not replace:
                raise UserError(f"user {name!r} exists (use --replace to set a new password and role)")
            users[name] = entry
            self._write(users)
        return self._user(name, entry)

    def remove(self, username: str) -> bool:
        name = normalise_username(username)
        with self._lock:
            users = self._read()
            if name not in users:
                return False
            del users[name]
            self._write(users)
        return True


# --- failed sign-ins -------------------------------------------------------------------------------------------


def attempts_path(settings: Settings) -> Path:
    return settings.paths.users.parent / "login_attempts.sqlite"


class LoginLimiter:
    """Failed sign-ins per username (any username, known or not, so a lock says nothing about who exists),
    in a small SQLite file: `max_failures` within `window_s` locks the username until the oldest of them is
    `window_s` old. Several dashboard processes share it safely."""

    def __init__(self, path: Path | str, *, max_failures: int = 5, window_s: float = 15 * 60,
                 base_delay_s: float = 0.5) -> None:
        self.path = Path(path)
        self.max_failures = max(int(max_failures), 1)
        self.window_s = float(window_s)
        self.base_delay_s = float(base_delay_s)

    @classmethod
    def from_settings(cls, settings: Settings) -> LoginLimiter:
        cfg = settings.login
        return cls(attempts_path(settings), max_failures=cfg.max_failed_logins, window_s=cfg.lockout_minutes * 60,
                   base_delay_s=cfg.failure_delay_s)

    @staticmethod
    def key(username: str) -> str:
        import hashlib

        return hashlib.sha256(normalise_username(username)[:256].encode("utf-8")).hexdigest()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        con.execute("create table if not exists failures (user_key text not null, at real not null)")
        con.execute("create index if not exists failures_user on failures (user_key, at)")
        return con

    def _failures(self, con: sqlite3.Connection, key: str, now: float) -> list[float]:
        rows = con.execute("select at from failures where user_key = ? and at > ? order by at desc",
                           (key, now - self.window_s)).fetchall()
        return [r[0] for r in rows]

    def locked_until(self, username: str, now: float | None = None) -> float | None:
        now = time.time() if now is None else now
        con = self._connect()
        try:
            failures = self._failures(con, self.key(username), now)
        finally:
            con.close()
        if len(failures) >= self.max_failures:
            return failures[self.max_failures - 1] + self.window_s
        return None

    def record_failure(self, username: str, now: float | None = None) -> int:
        """Count one failure; returns the failures within the window (this one included)."""
        now = time.time() if now is None else now
        key = self.key(username)
        con = self._connect()
        try:
            con.execute("begin immediate")
            con.execute("delete from failures where at <= ?", (now - self.window_s,))
            con.execute("insert into failures (user_key, at) values (?, ?)", (key, now))
            count = len(self._failures(con, key, now))
            con.execute("commit")
        finally:
            con.close()
        return count

    def reset(self, username: str) -> None:
        con = self._connect()
        try:
            con.execute("delete from failures where user_key = ?", (self.key(username),))
        finally:
            con.close()

    def delay_for(self, failures: int) -> float:
        return min(self.base_delay_s * (2 ** max(failures - 1, 0)), MAX_DELAY_S) if self.base_delay_s > 0 else 0.0


@dataclass(frozen=True)
class LoginResult:
    ok: bool
    reason: str  # "ok" | "invalid" | "locked"
    identity: Identity | None = None
    delay_s: float = 0.0
    locked_until: float | None = None


def authenticate(store: UserStore, limiter: LoginLimiter, username: str, password: str,
                 now: float | None = None) -> LoginResult:
    """Check a sign-in. A locked username is refused before the password is looked at (the right password does
    not unlock it); any other failure is "invalid", whatever went wrong."""
    now = time.time() if now is None else now
    name = normalise_username(username or "")[:256]
    until = limiter.locked_until(name, now)
    if until is not None:
        return LoginResult(False, "locked", locked_until=until)
    user = store.get(name)
    ok = verify_password(password or "", user.password_hash if user else _DUMMY_HASH) and user is not None
    if ok and user is not None and user.role in ROLES:
        limiter.reset(name)
        return LoginResult(True, "ok", identity=user.identity())
    failures = limiter.record_failure(name, now)
    until = limiter.locked_until(name, now)
    return LoginResult(False, "locked" if until else "invalid", delay_s=limiter.delay_for(failures),
                       locked_until=until)


# --- sessions --------------------------------------------------------------------------------------------------


@dataclass
class Session:
    identity: Identity
    started_at: float
    last_seen: float
    mode: str = "local"

    def expired(self, now: float, settings: Settings) -> str | None:
        """'idle' / 'absolute' when the session is over, else None."""
        if now - self.started_at > settings.login.absolute_timeout_hours * 3600:
            return "absolute"
        if now - self.last_seen > settings.login.idle_timeout_minutes * 60:
            return "idle"
        return None


# --- which sign-in ---------------------------------------------------------------------------------------------


def demo_env() -> bool:
    return os.environ.get(DEMO_ENV, "").strip().lower() in {"1", "true", "yes"}


def gate_mode(*, demo_flag: bool, warehouse_is_demo: bool | None, oidc: bool, local: bool) -> str:
    """demo | oidc | local | refuse. `warehouse_is_demo` None = unknown (no readable warehouse yet)."""
    if demo_flag and warehouse_is_demo is not False:
        return "demo"
    if oidc:
        return "oidc"
    if local:
        return "local"
    if warehouse_is_demo is True:
        return "demo"
    return "refuse"


DEMO_IDENTITY = Identity(user="demo", role=MANAGEMENT, source="demo", display_name="Demo")


def claims_started_at(claims: Mapping[str, Any]) -> float | None:
    """When the identity provider authenticated the user (auth_time, else iat), as a Unix time."""
    for key in ("auth_time", "iat"):
        value = claims.get(key)
        try:
            if value is not None:
                return float(value)
        except (TypeError, ValueError):
            continue
    return None
