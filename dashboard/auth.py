"""Signing in to the dashboard: the university's identity provider (OIDC) when configured, else local accounts.

Which one (`gate_mode`), checked at the start of every rerun:

- **demo**: `MCKPI_DEMO=1` and the warehouse holds demo data (or none yet) -> no sign-in, role management, a
  "Demo mode — demo data" label. A demo warehouse with no sign-in configured is treated the same way.
- **oidc**: `.streamlit/secrets.toml` has an `[auth]` section -> `st.login()`; `st.user`'s claims (email, groups)
  map to a role through access.toml (`dashboard.access.identity_from_claims`); no match = not permitted.
- **local**: the users file (`paths.users`, default data/users.json, written by `mckpi user add`) exists ->
  a sign-in form in the sidebar; bcrypt hashes (cost 12); wrong passwords get one generic message, and after
  `login.max_failed_logins` failures within `login.lockout_minutes` the username is locked for that long (the
  state is in login_attempts.sqlite next to the users file, never in the warehouse), with a doubling delay.
- **refuse**: real data (warehouse_info is_demo != 'true') and no sign-in configured -> an error page, nothing else.

Sessions end after `login.idle_timeout_minutes` without a click and `login.absolute_timeout_hours` after signing
in (for OIDC, counted from the identity token's `iat`/`auth_time`, so reloading the page does not extend it).
Sign-ins, failures, lockouts, sign-outs and expiries go to the audit log (dashboard/audit.py).
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import bcrypt

from dashboard import audit
from dashboard.access import (
    MANAGEMENT,
    ROLES,
    AccessConfigError,
    AccessPolicy,
    Identity,
    UserScope,
    check_role,
    identity_from_claims,
    load_access,
    normalise_username,
    scope_for,
    valid_username,
)
from etl.config import Settings, load_settings

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


# --- Streamlit -------------------------------------------------------------------------------------------------

TEXTS: dict[str, tuple[str, str]] = {
    "sign_in": ("Sign in", "Log masuk"),
    "sign_in_sso": ("Sign in with your university account", "Log masuk dengan akaun universiti anda"),
    "username": ("Username", "Nama pengguna"),
    "password": ("Password", "Kata laluan"),
    "sign_out": ("Sign out", "Log keluar"),
    "invalid": ("Wrong username or password.", "Nama pengguna atau kata laluan salah."),
    "locked": ("Too many failed sign-ins for this username. Try again in {minutes} min.",
               "Terlalu banyak cubaan log masuk yang gagal bagi nama pengguna ini. Cuba lagi dalam {minutes} min."),
    "please": ("Please sign in to see the dashboard.", "Sila log masuk untuk melihat papan pemuka."),
    "expired": ("Your session ended ({why}). Please sign in again.",
                "Sesi anda telah tamat ({why}). Sila log masuk semula."),
    "why.idle": ("no activity for a while", "tiada aktiviti untuk seketika"),
    "why.absolute": ("signed in too long ago", "log masuk terlalu lama dahulu"),
    "why.account changed": ("your account was changed", "akaun anda telah diubah"),
    "refuse": (
        "This dashboard holds real data and no sign-in is configured, so it will not start. Configure the "
        "university's identity provider in .streamlit/secrets.toml ([auth]) or create local accounts with "
        "`mckpi user add USERNAME --role management`, then reload. (Demo mode, MCKPI_DEMO=1, works only with "
        "demo data.)",
        "Papan pemuka ini mengandungi data sebenar dan tiada log masuk dikonfigurasi, jadi ia tidak akan "
        "dimulakan. Konfigurasikan penyedia identiti universiti dalam .streamlit/secrets.toml ([auth]) atau "
        "cipta akaun tempatan dengan `mckpi user add NAMA --role management`, kemudian muat semula.",
    ),
    "not_authorised": ("Your account ({user}) has no access to this dashboard. Ask the dashboard team for a role.",
                       "Akaun anda ({user}) tiada akses ke papan pemuka ini. Minta peranan daripada pasukan papan "
                       "pemuka."),
    "config_error": ("The access configuration is invalid: {error}", "Konfigurasi akses tidak sah: {error}"),
    "signed_in_as": ("Signed in as **{user}** · {role}", "Log masuk sebagai **{user}** · {role}"),
    "demo": ("Demo mode — demo data", "Mod demo — data demo"),
    "not_permitted": ("Not permitted: your role ({role}) cannot open this page.",
                      "Tidak dibenarkan: peranan anda ({role}) tidak boleh membuka halaman ini."),
    "audit.title": ("Audit log", "Log audit"),
    "audit.intro": ("Sign-ins, failed sign-ins, sign-outs, refused pages and downloads (newest first).",
                    "Log masuk, log masuk gagal, log keluar, halaman ditolak dan muat turun (terbaru dahulu)."),
    "audit.event": ("Event", "Peristiwa"),
    "audit.user": ("User", "Pengguna"),
    "audit.none": ("Nothing recorded yet.", "Belum ada rekod."),
    "report.download_xlsx": ("Ministry report {year} (Excel)", "Laporan kementerian {year} (Excel)"),
    "report.download_pdf": ("Ministry report {year} (PDF)", "Laporan kementerian {year} (PDF)"),
    "kpi_denied": ("Not available for your role.", "Tidak tersedia untuk peranan anda."),
    "role.management": ("management", "pengurusan"),
    "role.ptj": ("PTj", "PTj"),
    "role.lecturer": ("lecturer", "pensyarah"),
    "role.viewer": ("viewer", "pemerhati"),
}


def text(key: str, lang: str = "en", **values: Any) -> str:
    en, ms = TEXTS[key]
    return (ms if lang == "ms" else en).format(**values)


def _st():
    import streamlit as st

    return st


def oidc_configured() -> bool:
    """`.streamlit/secrets.toml` has an [auth] section (Streamlit's OIDC sign-in)."""
    st = _st()
    try:
        section = st.secrets.get("auth")
    except Exception:  # no secrets file at all  # noqa: BLE001
        return False
    return bool(section)


@dataclass
class Gate:
    mode: str
    identity: Identity | None
    scope: UserScope = field(default_factory=lambda: scope_for(None))


def _lang() -> str:
    st = _st()
    lang = st.session_state.get("lang", "en")
    return lang if lang in ("en", "ms") else "en"


def current_identity() -> Identity | None:
    st = _st()
    session = st.session_state.get(SESSION_KEY)
    return session.identity if isinstance(session, Session) else None


def current_scope() -> UserScope:
    """The signed-in person's scope (no one signed in: a scope that sees nothing)."""
    return scope_for(current_identity())


def _audit(event: str, identity: Identity | None = None, **details: Any) -> None:
    audit.write_event(event, user=identity.user if identity else details.pop("user", None),
                      role=identity.role if identity else None, **details)


def _start(identity: Identity, mode: str, started_at: float | None = None) -> Session:
    st = _st()
    now = time.time()
    session = Session(identity=identity, started_at=started_at or now, last_seen=now, mode=mode)
    st.session_state[SESSION_KEY] = session
    return session


def _end(reason: str | None = None) -> None:
    st = _st()
    session = st.session_state.pop(SESSION_KEY, None)
    if isinstance(session, Session):
        _audit("session_expired" if reason else "logout", session.identity, mode=session.mode, reason=reason)


def sign_out() -> None:
    """The sidebar's sign-out button."""
    st = _st()
    session = st.session_state.get(SESSION_KEY)
    mode = session.mode if isinstance(session, Session) else ""
    _end()
    if mode == "oidc":
        st.logout()
    else:
        st.rerun()


def _login_form(settings: Settings, lang: str) -> None:
    st = _st()
    store = UserStore(settings.paths.users)
    limiter = LoginLimiter.from_settings(settings)
    with st.sidebar.form("mckpi_login", clear_on_submit=True):
        st.subheader(text("sign_in", lang))
        username = st.text_input(text("username", lang), key="login_username", max_chars=256)
        password = st.text_input(text("password", lang), type="password", key="login_password", max_chars=256)
        submitted = st.form_submit_button(text("sign_in", lang), icon=":material/login:")
    if not submitted:
        return
    result = authenticate(store, limiter, username, password)
    shown_name = normalise_username(username or "")[:64]
    if result.ok and result.identity is not None:
        _start(result.identity, "local")
        _audit("login", result.identity, mode="local")
        st.rerun()
    if result.delay_s:
        time.sleep(result.delay_s)
    if result.reason == "locked":
        _audit("login_locked", user=shown_name, mode="local")
        minutes = max(1, round(((result.locked_until or time.time()) - time.time()) / 60))
        st.sidebar.error(text("locked", lang, minutes=minutes), icon=":material/lock:")
    else:
        _audit("login_failed", user=shown_name, mode="local")
        st.sidebar.error(text("invalid", lang), icon=":material/error:")


def _halt(on_stop: Callable[[], None] | None) -> None:
    """End the run before any page is drawn. `on_stop` registers the pages hidden (app.py), so that the sidebar
    shows no menu of page files to someone not signed in, and the page in the URL survives the sign-in."""
    if on_stop is not None:
        on_stop()
    _st().stop()


def _stop_with(kind: str, message: str, on_stop: Callable[[], None] | None = None) -> None:
    st = _st()
    getattr(st, kind)(message)
    _halt(on_stop)


def gate(warehouse_is_demo: bool | None, settings: Settings | None = None,
         on_stop: Callable[[], None] | None = None) -> Gate:
    """Called by app.py before anything else is drawn: returns who is signed in, or draws the sign-in (or the
    refusal) and stops the run (calling `on_stop` first)."""
    st = _st()
    settings = settings or load_settings()
    lang = _lang()
    oidc = oidc_configured()
    mode = gate_mode(demo_flag=demo_env(), warehouse_is_demo=warehouse_is_demo, oidc=oidc,
                     local=UserStore(settings.paths.users).exists())
    if mode == "refuse":
        st.session_state.pop(SESSION_KEY, None)
        _stop_with("error", text("refuse", lang), on_stop)
    if mode == "demo":
        session = st.session_state.get(SESSION_KEY)
        if not (isinstance(session, Session) and session.mode == "demo"):
            _start(DEMO_IDENTITY, "demo")
        return Gate("demo", DEMO_IDENTITY, scope_for(DEMO_IDENTITY))

    now = time.time()
    session = st.session_state.get(SESSION_KEY)
    if isinstance(session, Session) and session.mode != mode:
        st.session_state.pop(SESSION_KEY, None)  # sign-in changed under us (e.g. demo -> real data)
        session = None
    if isinstance(session, Session) and mode == "local":
        # A removed account, or one given another role, loses its open sessions at the next click.
        current = UserStore(settings.paths.users).get(session.identity.user)
        if current is None or current.identity() != session.identity:
            _end("account changed")
            session = None
    if isinstance(session, Session):
        why = session.expired(now, settings)
        if why:
            _end(why)
            st.warning(text("expired", lang, why=text(f"why.{why}", lang)), icon=":material/timer_off:")
            if mode == "oidc":
                st.logout()
                _halt(on_stop)
            session = None
        else:
            session.last_seen = now
            return Gate(mode, session.identity, scope_for(session.identity))

    if mode == "oidc":
        return _oidc_gate(settings, lang, now, on_stop)
    _login_form(settings, lang)
    st.info(text("please", lang), icon=":material/lock:")
    _halt(on_stop)
    raise AssertionError("unreachable")  # st.stop raises


def _oidc_gate(settings: Settings, lang: str, now: float, on_stop: Callable[[], None] | None = None) -> Gate:
    st = _st()
    user = st.user
    if not getattr(user, "is_logged_in", False):
        st.info(text("please", lang), icon=":material/lock:")
        if st.button(text("sign_in_sso", lang), icon=":material/login:", type="primary"):
            st.login()
        _halt(on_stop)
    claims = user.to_dict() if hasattr(user, "to_dict") else dict(user)
    try:
        policy: AccessPolicy = load_access(settings=settings)
    except AccessConfigError as exc:
        _stop_with("error", text("config_error", lang, error=str(exc)), on_stop)
        raise
    identity = identity_from_claims(claims, policy)
    if identity is None:
        _audit("access_denied", user=str(claims.get("email") or "?")[:100], mode="oidc")
        st.error(text("not_authorised", lang, user=str(claims.get("email") or "?")))
        if st.button(text("sign_out", lang)):
            st.logout()
        _halt(on_stop)
    started = claims_started_at(claims) or now
    if now - started > settings.login.absolute_timeout_hours * 3600:
        _audit("session_expired", identity, mode="oidc", reason="absolute")
        st.warning(text("expired", lang, why=text("why.absolute", lang)), icon=":material/timer_off:")
        if st.button(text("sign_in_sso", lang), icon=":material/login:", type="primary"):
            st.logout()
        _halt(on_stop)
    _start(identity, "oidc", started_at=started)
    _audit("login", identity, mode="oidc")
    return Gate("oidc", identity, scope_for(identity))


def sidebar_user(gate_result: Gate) -> None:
    """Who is signed in and their role, with the sign-out button (nothing to sign out of in demo mode)."""
    st = _st()
    lang = _lang()
    identity = gate_result.identity
    if identity is None:
        return
    if gate_result.mode == "demo":
        st.sidebar.caption(text("demo", lang))
        return
    role = text(f"role.{identity.role}", lang)
    if identity.ptj_codes:
        role = f"{role} ({', '.join(identity.ptj_codes)})"
    st.sidebar.markdown(text("signed_in_as", lang, user=identity.label.replace("*", ""), role=role))
    if st.sidebar.button(text("sign_out", lang), key="mckpi_sign_out", icon=":material/logout:"):
        sign_out()


def not_permitted(role: str, page: str = "") -> None:
    """Shown instead of a page the role may not open (reached by URL or page switch); the run stops here."""
    st = _st()
    _audit("access_denied", current_identity(), page=page)
    st.error(text("not_permitted", _lang(), role=text(f"role.{role}", _lang()) if f"role.{role}" in TEXTS else role),
             icon=":material/block:")
    st.stop()

