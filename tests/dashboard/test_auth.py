"""Sign-in (dashboard/auth.py, etl/cli_users.py): bcrypt-only password storage, generic rejection, lockout after
five failures (the sixth attempt is refused even with the right password), session expiry, which sign-in a
configuration gets (refusal on real data without any), and the OIDC claims -> role mapping (no live IdP)."""

from __future__ import annotations

import json
import stat
from dataclasses import replace
from pathlib import Path

import bcrypt
import pytest
import typer
from typer.testing import CliRunner

from cli.users import register
from core.config import load_settings
from dashboard.auth import (
    LoginLimiter,
    Session,
    UserError,
    UserStore,
    authenticate,
    claims_started_at,
    gate_mode,
    hash_password,
    verify_password,
)
from read.access import (
    LECTURER,
    MANAGEMENT,
    PTJ,
    VIEWER,
    AccessConfigError,
    AccessPolicy,
    Identity,
    Rule,
    identity_from_claims,
    load_access,
)

REPO = Path(__file__).resolve().parents[2]
GOOD = "correct horse battery"
FAST = 4  # bcrypt rounds for test users (the default cost is checked once below)


@pytest.fixture
def store(tmp_path: Path) -> UserStore:
    users = UserStore(tmp_path / "users.json")
    users.add("Aminah", GOOD, PTJ, ptj_codes=("fsktm",), rounds=FAST, display_name="Dr. Aminah")
    users.add("boss", GOOD, MANAGEMENT, rounds=FAST)
    return users


@pytest.fixture
def limiter(tmp_path: Path) -> LoginLimiter:
    return LoginLimiter(tmp_path / "login_attempts.sqlite", max_failures=5, window_s=15 * 60, base_delay_s=0.5)


# --- passwords -------------------------------------------------------------------------------------------------


def test_passwords_stored_only_as_bcrypt_hashes(store: UserStore) -> None:
    raw = store.path.read_text("utf-8")
    assert GOOD not in raw
    entry = json.loads(raw)["users"]["aminah"]
    assert set(entry) == {"password_hash", "role", "ptj_codes", "staff_id", "display_name", "created_at"}
    assert entry["password_hash"].startswith("$2b$") and bcrypt.checkpw(GOOD.encode(), entry["password_hash"].encode())
    assert entry["ptj_codes"] == ["FSKTM"]
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600


def test_default_cost_is_12() -> None:
    assert load_settings().login.bcrypt_rounds == 12
    assert hash_password(GOOD).startswith("$2b$12$")


@pytest.mark.parametrize("bad", ["short", "x" * 73, "é" * 40, "pass\x00word-long"])
def test_weak_or_unhashable_passwords_refused(store: UserStore, bad: str) -> None:
    with pytest.raises(UserError):
        store.add("newuser", bad, MANAGEMENT, rounds=FAST)


def test_verify_password_never_raises() -> None:
    hashed = hash_password(GOOD, FAST)
    assert verify_password(GOOD, hashed)
    for attempt in ("", "x" * 10_000, "\x00", "correct horse battery\x00", "\u202e", GOOD.upper()):
        assert not verify_password(attempt, hashed)
    assert not verify_password(GOOD, "not-a-hash")


@pytest.mark.parametrize("username,role,kwargs", [
    ("bad name", MANAGEMENT, {}),
    ("x" * 65, MANAGEMENT, {}),
    ("'; drop", MANAGEMENT, {}),
    ("ok", "root", {}),
    ("ok", PTJ, {}),  # a PTj user needs a PTj
    ("ok", LECTURER, {}),  # a lecturer needs a staff id
    ("ok", VIEWER, {"ptj_codes": ("FBE",)}),
])
def test_bad_accounts_refused(store: UserStore, username: str, role: str, kwargs: dict) -> None:
    with pytest.raises(UserError):
        store.add(username, GOOD, role, rounds=FAST, **kwargs)


def test_existing_user_needs_replace(store: UserStore) -> None:
    with pytest.raises(UserError, match="exists"):
        store.add("aminah", GOOD, VIEWER, rounds=FAST)
    store.add("aminah", GOOD + "!", VIEWER, rounds=FAST, replace=True)
    assert store.get("AMINAH").role == VIEWER
    assert store.remove("aminah") and not store.remove("aminah") and store.get("aminah") is None


# --- signing in ------------------------------------------------------------------------------------------------


def test_right_password_signs_in(store: UserStore, limiter: LoginLimiter) -> None:
    result = authenticate(store, limiter, " Aminah ", GOOD, now=1000.0)
    assert result.ok and result.identity == Identity("aminah", PTJ, ("FSKTM",), None, "local", "Dr. Aminah")


@pytest.mark.parametrize("username,password", [
    ("aminah", "wrong password"), ("nobody", GOOD), ("aminah", ""), ("", ""), ("aminah", GOOD + "\x00"),
    ("aminah' or '1'='1", GOOD), ("x" * 10_000, GOOD), ("\u202eaminah", GOOD),
])
def test_wrong_sign_ins_get_one_generic_answer(store: UserStore, limiter: LoginLimiter, username: str,
                                               password: str) -> None:
    result = authenticate(store, limiter, username, password, now=1000.0)
    assert not result.ok and result.reason == "invalid" and result.identity is None


def test_sixth_attempt_locked_even_with_the_right_password(store: UserStore, limiter: LoginLimiter) -> None:
    now = 10_000.0
    delays = []
    for i in range(5):
        result = authenticate(store, limiter, "aminah", f"wrong-{i}", now=now + i)
        assert not result.ok
        delays.append(result.delay_s)
    assert result.reason == "locked"  # the fifth failure locks
    assert delays[:4] == [0.5, 1.0, 2.0, 4.0]  # doubling delay
    sixth = authenticate(store, limiter, "aminah", GOOD, now=now + 10)
    assert not sixth.ok and sixth.reason == "locked" and sixth.locked_until is not None
    # another user is not affected; the lock is per username (case and spaces do not dodge it)
    assert authenticate(store, limiter, "boss", GOOD, now=now + 10).ok
    assert authenticate(store, limiter, " AMINAH", GOOD, now=now + 10).reason == "locked"
    # the lock is kept in the file, not the process: a second limiter (another dashboard process) sees it
    other = LoginLimiter(limiter.path, max_failures=5, window_s=15 * 60)
    assert other.locked_until("aminah", now + 10) is not None
    # 15 minutes after the first failures it opens again, and a success clears the count
    later = now + 15 * 60 + 5
    assert authenticate(store, limiter, "aminah", GOOD, now=later).ok
    assert limiter.locked_until("aminah", later) is None


def test_unknown_usernames_lock_the_same_way(store: UserStore, limiter: LoginLimiter) -> None:
    for i in range(5):
        authenticate(store, limiter, "ghost", "x", now=100.0 + i)
    assert authenticate(store, limiter, "ghost", "x", now=110.0).reason == "locked"
    assert "ghost" not in limiter.path.read_bytes().decode("latin-1")  # usernames are stored hashed


# --- sessions --------------------------------------------------------------------------------------------------


def test_session_expiry() -> None:
    settings = load_settings()
    assert settings.login.idle_timeout_minutes == 30 and settings.login.absolute_timeout_hours == 8
    session = Session(Identity("boss", MANAGEMENT), started_at=0.0, last_seen=0.0)
    assert session.expired(29 * 60, settings) is None
    assert session.expired(31 * 60, settings) == "idle"
    session.last_seen = 8 * 3600 - 60  # active all day
    assert session.expired(8 * 3600 - 1, settings) is None
    assert session.expired(8 * 3600 + 1, settings) == "absolute"
    short = replace(settings, login=replace(settings.login, idle_timeout_minutes=1))
    assert Session(Identity("b", VIEWER), 0.0, 0.0).expired(61, short) == "idle"
    assert claims_started_at({"iat": 1_700_000_000, "auth_time": "1699990000"}) == 1_699_990_000.0
    assert claims_started_at({"iat": "garbage"}) is None


# --- which sign-in ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("demo_flag,is_demo,oidc,local,mode", [
    (True, True, False, False, "demo"),      # make run
    (True, None, False, False, "demo"),      # make run before the first ETL
    (True, True, True, True, "demo"),
    (True, False, False, False, "refuse"),   # MCKPI_DEMO=1 does not open real data
    (True, False, False, True, "local"),
    (False, False, False, False, "refuse"),  # real data, no sign-in configured
    (False, None, False, False, "refuse"),
    (False, False, True, False, "oidc"),
    (False, False, True, True, "oidc"),      # the identity provider wins over local accounts
    (False, False, False, True, "local"),
    (False, True, False, False, "demo"),     # demo data needs no sign-in
    (False, True, False, True, "local"),
])
def test_gate_mode(demo_flag: bool, is_demo: bool | None, oidc: bool, local: bool, mode: str) -> None:
    assert gate_mode(demo_flag=demo_flag, warehouse_is_demo=is_demo, oidc=oidc, local=local) == mode


# --- identity-provider claims -> role --------------------------------------------------------------------------


@pytest.fixture
def policy() -> AccessPolicy:
    return load_access(REPO / "access.toml")


@pytest.mark.parametrize("claims,expected", [
    ({"email": "tnc.academic@um.edu.my"}, (MANAGEMENT, (), None)),
    ({"email": "TNC.Academic@UM.edu.my", "groups": ["mckpi-viewers"]}, (MANAGEMENT, (), None)),  # email wins
    ({"email": "dean.fsktm@um.edu.my", "groups": ["mckpi-management"]}, (PTJ, ("FSKTM",), None)),
    ({"email": "a@um.edu.my", "groups": ["mckpi-ptj-fbe"]}, (PTJ, ("FBE",), None)),
    ({"email": "a@um.edu.my", "groups": ["mckpi-ptj-fbe", "mckpi-ptj-fsktm"]}, (PTJ, ("FBE", "FSKTM"), None)),
    ({"email": "a@um.edu.my", "groups": ["mckpi-viewers", "mckpi-management"]}, (MANAGEMENT, (), None)),
    ({"email": "a@um.edu.my", "groups": "mckpi-viewers"}, (VIEWER, (), None)),  # a single group as a string
    ({"email": "a@um.edu.my", "groups": ["mckpi-lecturers"], "employee_id": "S02"}, (LECTURER, (), "S02")),
    ({"email": "a@um.edu.my", "groups": ["mckpi-lecturers", "mckpi-viewers"]}, (VIEWER, (), None)),  # no staff id
])
def test_claims_map_to_roles(policy: AccessPolicy, claims: dict, expected: tuple) -> None:
    identity = identity_from_claims(claims, policy)
    assert identity is not None and identity.source == "sso"
    assert (identity.role, identity.ptj_codes, identity.staff_id) == expected
    assert identity.user == claims["email"].lower()


@pytest.mark.parametrize("claims", [
    {},
    {"groups": ["mckpi-management"]},  # no email
    {"email": "boss@gmail.com", "groups": ["mckpi-management"]},  # outside the university's domain
    {"email": "boss@um.edu.my.evil.com", "groups": ["mckpi-management"]},
    {"email": "tnc.academic@um.edu.my", "email_verified": False},
    {"email": "someone@um.edu.my", "groups": ["students"]},  # no rule, no default role
    {"email": "someone@um.edu.my", "groups": ["MCKPI-MANAGEMENT"]},  # group names are exact
    {"email": "someone@um.edu.my", "groups": ["mckpi-lecturers"]},  # lecturer without a staff id
    {"email": "a\nb@um.edu.my", "groups": ["mckpi-management"]},
])
def test_unmatched_or_untrusted_claims_refused(policy: AccessPolicy, claims: dict) -> None:
    assert identity_from_claims(claims, policy) is None


def test_default_role_viewer() -> None:
    policy = AccessPolicy(default_role=VIEWER, groups={"g": (Rule(PTJ, ("FBE",)),)})
    assert identity_from_claims({"email": "x@any.org"}, policy).role == VIEWER


@pytest.mark.parametrize("body", [
    '[sso]\ndefault_role = "management"\n',
    '[[sso.groups]]\ngroup = "g"\nrole = "root"\n',
    '[[sso.groups]]\ngroup = "g"\nrole = "ptj"\n',
    '[[sso.emails]]\nrole = "viewer"\n',
    'not toml [',
])
def test_bad_access_files_refused(tmp_path: Path, body: str) -> None:
    path = tmp_path / "access.toml"
    path.write_text(body, "utf-8")
    with pytest.raises(AccessConfigError):
        load_access(path)


def test_missing_access_file_refuses_everyone(tmp_path: Path) -> None:
    policy = load_access(tmp_path / "none.toml")
    assert identity_from_claims({"email": "tnc.academic@um.edu.my", "groups": ["mckpi-management"]}, policy) is None


# --- mckpi user ------------------------------------------------------------------------------------------------


def test_cli_user_add_list_remove(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    users = tmp_path / "users.json"
    monkeypatch.setenv("MCKPI_PATHS_USERS", str(users))
    monkeypatch.setenv("MCKPI_LOGIN_BCRYPT_ROUNDS", str(FAST))
    app = typer.Typer()
    app.command("noop")(lambda: None)
    register(app)
    runner = CliRunner()

    added = runner.invoke(app, ["user", "add", "dean", "--role", "ptj", "--ptj", "FSKTM", "--ptj", "APM",
                                "--password-stdin"], input=GOOD + "\n")
    assert added.exit_code == 0, added.output
    prompted = runner.invoke(app, ["user", "add", "lect", "--role", "lecturer", "--staff-id", "S02"],
                             input=f"{GOOD}\n{GOOD}\n")
    assert prompted.exit_code == 0, prompted.output
    assert GOOD not in prompted.output  # hidden input
    mismatch = runner.invoke(app, ["user", "add", "x", "--role", "viewer"], input=f"{GOOD}\n{GOOD}x\n")
    assert mismatch.exit_code == 1 and "do not match" in mismatch.output
    weak = runner.invoke(app, ["user", "add", "y", "--role", "viewer", "--password-stdin"], input="abc\n")
    assert weak.exit_code == 1

    store = UserStore(users)
    assert store.get("dean").ptj_codes == ("APM", "FSKTM")
    assert verify_password(GOOD, store.get("lect").password_hash)
    listed = runner.invoke(app, ["user", "list"])
    assert "dean" in listed.output and "lect" in listed.output and "$2b$" not in listed.output
    assert runner.invoke(app, ["user", "remove", "dean"]).exit_code == 0
    assert runner.invoke(app, ["user", "remove", "dean"]).exit_code == 1
    assert runner.invoke(app, ["user", "unlock", "lect"]).exit_code == 0
    assert store.get("dean") is None


# --- the dashboard (AppTest) -----------------------------------------------------------------------------------


def _sign_in_form(at, username: str, password: str):
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    at.button[0].click()
    return at.run()


def _audit_events(path: str | None = None) -> list[dict]:
    import os

    from read import audit

    return audit.read_events(Path(path or os.environ["MCKPI_PATHS_AUDIT"]))


def test_dashboard_asks_for_sign_in_and_rate_limits(app) -> None:
    from apptest_helpers import TEST_PASSWORD

    at = app("overview", user=None)
    assert not at.exception
    assert not at.metric and not at.dataframe  # nothing before signing in
    assert any("sign in" in i.value.lower() for i in at.info)

    at = _sign_in_form(at, "tester", "wrong password")
    assert [e.value for e in at.error] == ["Wrong username or password."]
    at = _sign_in_form(at, "nobody", "wrong password")
    assert [e.value for e in at.error] == ["Wrong username or password."]  # same answer
    for _ in range(4):
        at = _sign_in_form(at, "tester", "still wrong")
    at = _sign_in_form(at, "tester", TEST_PASSWORD)  # the sixth attempt, right password: locked
    assert "Too many failed sign-ins" in at.error[0].value
    assert not at.metric
    assert _sign_in_form(at, "lect", TEST_PASSWORD).metric  # another account is not locked

    events = [(e["event"], e["user"]) for e in _audit_events()][::-1]
    assert events.count(("login_failed", "tester")) == 4 and ("login_locked", "tester") in events
    assert ("login_failed", "nobody") in events and ("login", "lect") in events
    assert TEST_PASSWORD not in Path(__import__("os").environ["MCKPI_PATHS_AUDIT"]).read_text()


def test_sign_in_and_out(app) -> None:
    from apptest_helpers import TEST_PASSWORD

    at = _sign_in_form(app("overview", user=None), "Dean", TEST_PASSWORD)
    assert not at.exception and at.metric
    assert any("Signed in as **dean**" in m.value for m in at.sidebar.markdown)
    at.sidebar.button(key="mckpi_sign_out").click().run()
    assert not at.metric and any("sign in" in i.value.lower() for i in at.info)
    assert [e["event"] for e in _audit_events()][:2] == ["logout", "login"]


def test_session_expires(app) -> None:
    from dashboard.auth import SESSION_KEY

    at = app("overview")
    assert at.metric
    session = at.session_state[SESSION_KEY]
    session.last_seen -= 31 * 60  # half an hour without a click
    at.run()
    assert not at.metric and any("session ended" in w.value for w in at.warning)
    at = app("overview")
    session = at.session_state[SESSION_KEY]
    session.started_at -= 8 * 3600 + 1  # signed in this morning, busy all day
    at.run()
    assert not at.metric and any("signed in too long ago" in w.value for w in at.warning)
    assert {e.get("reason") for e in _audit_events() if e["event"] == "session_expired"} == {"idle", "absolute"}


def test_removed_account_loses_its_session(app) -> None:
    import os

    at = app("overview", user="dean")
    assert at.metric
    UserStore(os.environ["MCKPI_PATHS_USERS"]).remove("dean")
    at.run()
    assert not at.metric


@pytest.mark.parametrize("demo", ["", "1"])
def test_real_data_without_sign_in_refuses_to_start(app, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                    demo: str) -> None:
    monkeypatch.setenv("MCKPI_DEMO", demo)  # MCKPI_DEMO=1 does not open real (non-demo) data either
    at = app("overview")  # signed in ... but the users file is gone: no sign-in configured at all
    monkeypatch.setenv("MCKPI_PATHS_USERS", str(tmp_path / "no-users.json"))
    at.run()
    assert not at.exception
    assert len(at.error) == 1 and "will not start" in at.error[0].value
    assert not at.metric and not at.dataframe and not at.sidebar.multiselect


@pytest.fixture(scope="module")
def small_demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse the ETL built from a generated demo landing folder (demo by proof, core/demo_proof.py)."""
    from core.config import load_settings
    from etl.demo import generate
    from etl.load import run_etl

    root = tmp_path_factory.mktemp("small_demo")
    landing, warehouse = root / "landing", root / "warehouse" / "mckpi.duckdb"
    settings = load_settings()
    generate(landing, 300, 3, start_year=2025, end_year=2026, settings=settings)
    result = run_etl(settings.with_paths(landing=landing, warehouse=warehouse), landing=landing, warehouse=warehouse)
    assert result.status == "succeeded", result.message
    return warehouse


def test_demo_mode_needs_no_sign_in(app, monkeypatch: pytest.MonkeyPatch, small_demo_warehouse: Path) -> None:
    from core.words import t

    app("overview")
    monkeypatch.delenv("MCKPI_PSEUDONYM_KEY", raising=False)
    monkeypatch.setenv("MCKPI_PATHS_WAREHOUSE", str(small_demo_warehouse))
    monkeypatch.setenv("MCKPI_DEMO", "1")
    at = app("revenue", user=None)
    assert not at.exception
    assert at.metric and t("demo.label") in [w.value for w in at.warning]
    assert any("Demo mode" in c.value for c in at.sidebar.caption)


def test_a_flipped_demo_flag_still_asks_for_a_sign_in(app, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Issue 13: is_demo set to 'true' by hand in a real warehouse (fingerprint missing or forged) is real data."""
    import os
    import shutil

    import duckdb

    app("overview")
    source = Path(os.path.realpath(os.environ["MCKPI_PATHS_WAREHOUSE"]))
    forged = tmp_path / "forged.duckdb"
    shutil.copy(source, forged)
    with duckdb.connect(str(forged)) as con:
        con.execute("update warehouse_info set value = 'true' where key = 'is_demo'")
        con.execute("insert into warehouse_info values ('demo_fingerprint', ?)", ["0" * 64])
    monkeypatch.setenv("MCKPI_PATHS_WAREHOUSE", str(forged))
    monkeypatch.setenv("MCKPI_DEMO", "1")
    at = app("revenue", user=None)
    assert not at.exception
    assert not at.metric  # no figure before a sign-in
    assert not any("Demo mode" in c.value for c in at.sidebar.caption)
    # with no sign-in configured at all, the app refuses to start
    monkeypatch.setenv("MCKPI_PATHS_USERS", str(tmp_path / "no-users.json"))
    at = app("revenue", user=None)
    assert not at.metric and at.error
