"""Signing in to the dashboard: the university's identity provider (OIDC) when configured, else local accounts.

Which one (`gate_mode`), checked at the start of every rerun:

- **demo**: `MCKPI_DEMO=1` and the warehouse holds demo data (or none yet) -> no sign-in, role management, a
  "Demo mode — demo data" label. A demo warehouse with no sign-in configured is treated the same way.
- **oidc**: `.streamlit/secrets.toml` has an `[auth]` section -> `st.login()`; `st.user`'s claims (email, groups)
  map to a role through access.toml (`read.access.identity_from_claims`); no match = not permitted.
- **local**: the users file (`paths.users`, default data/users.json, written by `mckpi user add`) exists ->
  a sign-in form on the page; bcrypt hashes (cost 12); wrong passwords get one generic message, and after
  `login.max_failed_logins` failures within `login.lockout_minutes` the username is locked for that long (the
  state is in login_attempts.sqlite next to the users file, never in the warehouse), with a doubling delay.
- **refuse**: real data (warehouse_info is_demo != 'true') and no sign-in configured -> an error page, nothing else.

Sessions end after `login.idle_timeout_minutes` without a click and `login.absolute_timeout_hours` after signing
in (for OIDC, counted from the identity token's `iat`/`auth_time`, so reloading the page does not extend it).
Sign-ins, failures, lockouts, sign-outs and expiries go to the audit log (read/audit.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core import words
from core.config import Settings, load_settings
from read import audit
from read.access import (
    AccessConfigError,
    AccessPolicy,
    Identity,
    UserScope,
    identity_from_claims,
    load_access,
    normalise_username,
    scope_for,
)
from read.accounts import (  # noqa: F401 - re-exported: the app and the tests use them from here
    DEMO_ENV,
    DEMO_IDENTITY,
    SESSION_KEY,
    LocalUser,
    LoginLimiter,
    LoginResult,
    Session,
    UserError,
    UserStore,
    attempts_path,
    authenticate,
    check_new_password,
    claims_started_at,
    demo_env,
    gate_mode,
    hash_password,
    verify_password,
)

# --- Streamlit -------------------------------------------------------------------------------------------------

def text(key: str, lang: str = "en", **values: Any) -> str:
    """The sign-in page's words ("auth.<key>" in core.words)."""
    return words.t(f"auth.{key}", lang, **values)


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
    # In the page, not the sidebar: a phone shows the sidebar collapsed, so a form there was out of sight.
    with st.form("mckpi_login", clear_on_submit=True, width=420):
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
        st.error(text("locked", lang, minutes=minutes), icon=":material/lock:", width=420)
    else:
        _audit("login_failed", user=shown_name, mode="local")
        st.error(text("invalid", lang), icon=":material/error:", width=420)


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
    st.info(text("please", lang), icon=":material/lock:")
    _login_form(settings, lang)
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
    st.error(text("not_permitted", _lang(), role=text(f"role.{role}", _lang()) if words.has(f"auth.role.{role}") else role),
             icon=":material/block:")
    st.stop()

