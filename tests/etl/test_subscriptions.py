"""Subscriptions by e-mail (etl/subscriptions.py, digest.py, mail.py, sender.py, cli_subscribe.py) against a real
SMTP server in the test process (aiosmtpd on loopback, a free port), on the hand fixture warehouse.

Hand figures (tests/fixtures/hand, 2025): net revenue FSKTM 1,389.00, FBE 4,300.00, APM 1,100.00, university
6,789.00 (target 10,000.00); FBE's own revenue target is 5,000.00.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import json
import os
import shutil
import socket
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from pypdf import PdfReader
from typer.testing import CliRunner

from etl.cli import app
from etl.config import REPO_ROOT, Mail, load_settings
from etl.mail import Attachment, build_message, send_message
from etl.subscriptions import Subscription, SubscriptionError, make_subscription, period

HAND = REPO_ROOT / "tests" / "fixtures" / "hand"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    """Settings come from each test's own config file only (and no SMTP password from the machine)."""
    for key in list(os.environ):
        if key.startswith("MCKPI_") and key != "MCKPI_PSEUDONYM_KEY":
            monkeypatch.delenv(key)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Inbox:
    """An aiosmtpd handler: keeps what it accepts; `fail_next` / `always_fail` answer DATA with a 451."""

    messages: list[email.message.EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    fail_next: int = 0
    always_fail: bool = False
    data_calls: int = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.data_calls += 1
        if self.always_fail or self.fail_next > 0:
            self.fail_next -= 1
            return "451 4.3.0 Mailbox busy, try again later"
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def to(self, address: str) -> email.message.EmailMessage:
        found = [m for m in self.messages if m["To"] == address]
        assert len(found) == 1, [m["To"] for m in self.messages]
        return found[0]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


@dataclass
class Env:
    root: Path
    config: Path

    @property
    def settings(self):
        return load_settings(self.config)

    def cli(self, *args: str):
        return runner.invoke(app, [*args, "--config", str(self.config)], env={"COLUMNS": "250"})

    def audit(self, event: str) -> list[dict]:
        path = self.root / "audit.jsonl"
        lines = path.read_text().splitlines() if path.exists() else []
        return [r for r in map(json.loads, lines) if r["event"] == event]

    def state(self) -> dict:
        return json.loads((self.root / "mail" / "state.json").read_text())


def make_env(root: Path, port: int, extra: str = "", **mail: object) -> Env:
    shutil.copytree(HAND, root / "landing")
    settings = {"host": "127.0.0.1", "port": port, "security": "none", "from_address": "mckpi@example.edu.my",
                "retries": 3, "backoff_s": 0.01, "timeout_s": 10, "dashboard_url": "https://mckpi.example.edu.my",
                **mail}
    lines = [f"{k} = {json.dumps(v)}" for k, v in settings.items()]
    config = root / "mckpi.toml"
    config.write_text(
        "[paths]\n"
        'landing = "landing"\nwarehouse = "warehouse/mckpi.duckdb"\narchive = "archive"\naudit = "audit.jsonl"\n'
        'subscriptions = "subscriptions.json"\nmail_state = "mail/state.json"\n'
        "[mail]\n" + "\n".join(lines) + "\n" + extra,
        "utf-8",
    )
    return Env(root, config)


def pdf_text(message: email.message.EmailMessage) -> str:
    pdfs = [p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert len(pdfs) == 1
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdfs[0].get_content())).pages)


def add_two(env: Env) -> None:
    for args in (["tnc", "--email", "tnc@example.edu.my", "--role", "management"],
                 ["dean-fbe", "--email", "dean.fbe@example.edu.my", "--role", "ptj", "--ptj", "fbe",
                  "--format", "pdf", "--format", "xlsx"]):
        result = env.cli("subscribe", "add", *args, "--when", "monthly", "--day", "1", "--year", "2025")
        assert result.exit_code == 0, result.output


# --- the two monthly subscriptions, sent after a refresh ---------------------------------------------------------


def test_monthly_management_and_dean_get_their_own_scoped_report(tmp_path, smtp):
    inbox, port = smtp
    env = make_env(tmp_path, port)
    add_two(env)
    listed = env.cli("subscribe", "list")
    assert listed.exit_code == 0 and "dean-fbe" in listed.output and "monthly (day 1)" in listed.output

    refreshed = env.cli("refresh")  # publishes, then sends what is due: both (day 1 of this month has passed)
    assert refreshed.exit_code == 0, refreshed.output
    assert len(inbox.messages) == 2
    assert sorted(rcpts[0] for _, rcpts in inbox.envelopes) == ["dean.fbe@example.edu.my", "tnc@example.edu.my"]

    # Management: every PTj's revenue and the university total.
    tnc = inbox.to("tnc@example.edu.my")
    assert tnc["Subject"] == "mckpi: ministry report 2025 – University"
    assert tnc["From"] == "mckpi@example.edu.my" and tnc["Auto-Submitted"] == "auto-generated"
    text = pdf_text(tnc)
    assert all(v in text for v in ("FSKTM", "APM", "FBE", "1,389.00", "4,300.00", "1,100.00", "6,789.00"))
    body = tnc.get_body(("plain",)).get_content()
    assert "Net revenue (RM) [University]: BEHIND" in body
    assert "6,789.00 of 10,000.00 (67.9% achieved" in body and "3,211.00 short" in body
    assert "https://mckpi.example.edu.my/?year=2025&lang=en" in body
    html = tnc.get_body(("html",)).get_content()
    assert '<a href="https://mckpi.example.edu.my/?year=2025&amp;lang=en">' in html

    # The dean of FBE: FBE only, exactly what the dean sees signed in; the Excel copy too.
    dean = inbox.to("dean.fbe@example.edu.my")
    (tmp_path / "received-dean-fbe.eml").write_bytes(bytes(dean))  # kept in pytest's temp folder, to look at
    assert dean["Subject"] == "mckpi: ministry report 2025 – FBE"
    text = pdf_text(dean)
    assert "4,300.00" in text and "5,000.00" in text
    assert not any(v in text for v in ("FSKTM", "APM", "1,389.00", "1,100.00", "6,789.00"))
    names = [p.get_filename() for p in dean.iter_attachments()]
    assert names == ["mckpi-report-2025-FBE.pdf", "mckpi-report-2025-FBE.xlsx"]
    body = dean.get_body(("plain",)).get_content()
    assert "Net revenue (RM) [FBE]: AT RISK" in body and "4,300.00 of 5,000.00 (86.0% achieved" in body
    assert "FSKTM" not in body and "[University]" not in body and "ptj=FBE" in body  # as the linked view

    # Recorded: who, what, scope, size, result.
    sends = {r["subscription"]: r for r in env.audit("subscription_send")}
    assert set(sends) == {"tnc", "dean-fbe"}
    pdf_size = len(next(p for p in dean.iter_attachments() if p.get_filename().endswith(".pdf")).get_content())
    xlsx_size = len(next(p for p in dean.iter_attachments() if p.get_filename().endswith(".xlsx")).get_content())
    assert sends["dean-fbe"] | {"ts": None} == sends["dean-fbe"] | {
        "ts": None, "user": "dean.fbe@example.edu.my", "role": "ptj", "what": "report", "scope": "FBE",
        "formats": ["pdf", "xlsx"], "size": pdf_size + xlsx_size, "result": "sent", "attempts": 1,
        "period": dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m")}

    # Sent once per period: the timer finds nothing more to send this month.
    again = env.cli("subscribe", "send")
    assert again.exit_code == 0 and "Nothing due." in again.output
    assert len(inbox.messages) == 2


# --- a failing server -----------------------------------------------------------------------------------------


def test_a_failing_server_is_retried_recorded_and_shown_and_never_fails_the_refresh(tmp_path, smtp):
    inbox, port = smtp
    env = make_env(tmp_path, port)
    add_two(env)
    inbox.always_fail = True

    refreshed = env.cli("refresh")
    assert refreshed.exit_code == 0, refreshed.output  # published all the same
    assert "WARNING sending to tnc@example.edu.my failed (attempt 1 of 3): SMTP 451 4.3.0" in refreshed.output
    assert inbox.data_calls == 6 and inbox.messages == []  # 3 attempts for each of the two
    failed = {r["subscription"]: r for r in env.audit("subscription_send")}
    assert failed["dean-fbe"]["result"] == "failed" and failed["dean-fbe"]["attempts"] == 3
    assert failed["dean-fbe"]["error"] == "SMTP 451 4.3.0 Mailbox busy, try again later"
    assert env.state()["subscriptions"]["dean-fbe"]["failures"] == 1

    status = env.cli("status")
    assert status.exit_code == 1
    assert "subscription dean-fbe: last send failed" in status.output and "451 4.3.0 Mailbox busy" in status.output

    sent = env.cli("subscribe", "send")  # still failing: exit 1, the failure count goes up
    assert sent.exit_code == 1 and "failed dean-fbe" in sent.output
    assert env.state()["subscriptions"]["dean-fbe"]["failures"] == 2

    inbox.always_fail = False  # the server is back: the next run sends what is still due
    sent = env.cli("subscribe", "send")
    assert sent.exit_code == 0, sent.output
    assert sorted(m["To"] for m in inbox.messages) == ["dean.fbe@example.edu.my", "tnc@example.edu.my"]
    assert env.state()["subscriptions"]["dean-fbe"]["failures"] == 0
    status = env.cli("status")
    assert status.exit_code == 0 and "last send failed" not in status.output


def test_a_temporary_failure_is_retried_with_backoff(smtp):
    inbox, port = smtp
    inbox.fail_next = 2
    mail = Mail(host="127.0.0.1", port=port, security="none", from_address="mckpi@example.edu.my", retries=3,
                backoff_s=2.0)
    waits: list[float] = []
    message = build_message(mail, to="a@example.edu.my", subject="s", text="t",
                            attachments=[Attachment("x.pdf", "application/pdf", b"%PDF-1.4")])
    delivery = send_message(mail, message, sleep=waits.append, env={})
    assert (delivery.ok, delivery.attempts, waits) == (True, 3, [2.0, 4.0])  # 2 s, then twice that
    assert len(inbox.messages) == 1


def test_permanent_failures_are_not_retried(smtp):
    inbox, port = smtp
    waits: list[float] = []
    # STARTTLS demanded from a server that does not offer it: never falls back to plain text.
    mail = Mail(host="127.0.0.1", port=port, security="starttls", from_address="m@example.edu.my", retries=3)
    delivery = send_message(mail, build_message(mail, to="a@example.edu.my", subject="s", text="t"),
                            sleep=waits.append, env={})
    assert (delivery.ok, delivery.attempts, delivery.permanent, waits) == (False, 1, True, [])
    assert "STARTTLS" in delivery.error
    # A password is never sent without TLS.
    mail = Mail(host="127.0.0.1", port=port, security="none", from_address="m@example.edu.my")
    delivery = send_message(mail, build_message(mail, to="a@example.edu.my", subject="s", text="t"),
                            env={"MCKPI_SMTP_USER": "u", "MCKPI_SMTP_PASSWORD": "p"})
    assert not delivery.ok and delivery.attempts == 0 and "never sent without TLS" in delivery.error
    # Nothing listening: a temporary failure, tried `retries` times.
    mail = Mail(host="127.0.0.1", port=free_port(), security="none", from_address="m@example.edu.my", retries=2,
                backoff_s=1.0)
    delivery = send_message(mail, build_message(mail, to="a@example.edu.my", subject="s", text="t"),
                            sleep=waits.append, env={})
    assert (delivery.ok, delivery.attempts, waits) == (False, 2, [1.0])
    assert delivery.error.startswith("ConnectionRefusedError")
    assert inbox.data_calls == 0


def test_send_now_and_preview(tmp_path, smtp):
    inbox, port = smtp
    env = make_env(tmp_path, port, extra=(
        "[[subscription]]\nid = \"mc-office\"\nemail = \"mc@example.edu.my\"\nrole = \"management\"\n"
        "what = \"overview\"\nformats = [\"xlsx\"]\nlang = \"ms\"\nwhen = \"reporting\"\nyear = 2025\n"))
    from etl.load import run_etl

    settings = env.settings
    assert run_etl(settings, settings.paths.landing, settings.paths.warehouse).status == "succeeded"
    preview = env.cli("subscribe", "send", "mc-office", "--preview", str(tmp_path / "out"))
    assert preview.exit_code == 0, preview.output
    message = email.message_from_bytes((tmp_path / "out" / "mc-office.eml").read_bytes(), policy=email.policy.default)
    assert message["Subject"] == "mckpi: kad skor 2025 – Universiti"
    assert [p.get_filename() for p in message.iter_attachments()] == ["mckpi-scorecard-2025-ms.xlsx"]
    assert inbox.messages == [] and env.audit("subscription_send") == []  # a preview sends and records nothing

    sent = env.cli("subscribe", "send", "mc-office", "--no-alerts")  # now, whatever the schedule
    assert sent.exit_code == 0, sent.output
    assert inbox.to("mc@example.edu.my")["Subject"] == "mckpi: kad skor 2025 – Universiti"
    removed = env.cli("subscribe", "remove", "mc-office")
    assert removed.exit_code == 1 and "remove it there" in removed.output


# --- the store and the schedule ---------------------------------------------------------------------------------


def sub(**changes) -> Subscription:
    return make_subscription({"id": "s", "email": "a@example.edu.my", "role": "management", **changes}, where="test")


def test_schedule_periods():
    settings = load_settings(Path("/nonexistent.toml"))  # reporting_dates default: none
    from dataclasses import replace

    settings = replace(settings, mail=replace(settings.mail, reporting_dates="01-15,07-15"))
    wed = dt.date(2026, 12, 2)  # a Wednesday
    assert period(sub(when="refresh"), wed, "RUN1", settings) == "RUN1"
    assert period(sub(when="weekly", day=3), wed, None, settings) == "2026-W49"
    assert period(sub(when="weekly", day=4), wed, None, settings) is None  # Thursday's has not come yet
    assert period(sub(when="monthly", day=2), wed, None, settings) == "2026-12"
    assert period(sub(when="monthly", day=3), wed, None, settings) is None
    assert period(sub(when="reporting"), wed, None, settings) == "2026-07-15"
    assert period(sub(when="reporting"), dt.date(2026, 1, 14), None, settings) == "2025-07-15"


@pytest.mark.parametrize(("changes", "message"), [
    ({"email": "not an address"}, "email 'not an address': expected an address"),
    ({"role": "viewer"}, "role 'viewer': expected one of management, ptj (role viewer may not download the report)"),
    ({"role": "ptj"}, "role ptj needs at least one PTj"),
    ({"ptj": "FBE"}, "role management sees every PTj"),
    ({"formats": ["pdf", "docx"]}, "expected pdf and/or xlsx"),
    ({"when": "monthly", "day": 31}, "day 31: expected 1..28 for a monthly subscription"),
    ({"when": "refresh", "day": 2}, "day applies to weekly and monthly subscriptions, not refresh"),
    ({"colour": "red"}, "unknown key(s) colour"),
])
def test_bad_subscriptions_say_what_was_expected(changes, message):
    with pytest.raises(SubscriptionError, match="^test: ") as err:
        sub(**changes)
    assert message in str(err.value)


def test_store_add_list_remove(tmp_path):
    env = make_env(tmp_path, free_port())
    add_two(env)
    again = env.cli("subscribe", "add", "tnc", "--email", "x@example.edu.my", "--role", "management")
    assert again.exit_code == 1 and "exists already" in again.output
    assert (tmp_path / "subscriptions.json").stat().st_mode & 0o077 == 0  # addresses: owner only
    assert [s["id"] for s in json.loads((tmp_path / "subscriptions.json").read_text())] == ["tnc", "dean-fbe"]
    removed = env.cli("subscribe", "remove", "tnc")
    assert removed.exit_code == 0
    assert [s["id"] for s in json.loads((tmp_path / "subscriptions.json").read_text())] == ["dean-fbe"]
    assert env.cli("subscribe", "remove", "tnc").exit_code == 1


# --- alerts ----------------------------------------------------------------------------------------------------


class Hook:
    """A local webhook that records the JSON it gets."""

    def __enter__(self):
        import http.server
        import threading

        calls = self.calls = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                calls.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


MYT = dt.timezone(dt.timedelta(hours=8))


def test_an_alert_fires_once_on_the_change_and_once_on_recovery(tmp_path, smtp):
    from etl.load import run_etl
    from etl.sender import send_due

    inbox, port = smtp
    with Hook() as hook:
        env = make_env(tmp_path, port, extra=(
            f'[notify]\nwebhook_url = "{hook.url}"\n'
            '[[alert]]\nid = "enrolments-pace"\nkind = "target_status"\nkpi = "enrolments"\nyear = 2025\n'
            'recipients = ["tnc@example.edu.my", "mc@example.edu.my"]\nchannels = ["email", "webhook"]\n'
            '[[alert]]\nid = "fbe-revenue"\nkind = "threshold"\nkpi = "revenue"\ncolumn = "net_revenue_rm"\n'
            'below = 7000\nyear = 2025\nrecipients = ["tnc@example.edu.my"]\n'))
        settings = env.settings
        assert run_etl(settings, settings.paths.landing, settings.paths.warehouse).status == "succeeded"

        def check(day: dt.date) -> list:
            run = send_due(settings, now=dt.datetime.combine(day, dt.time(9), MYT), sleep=lambda s: None)
            return [(a.rule_id, a.change, a.ok) for a in run.alerts]

        # 1 March 2025 (day 60, 16.4% of the year): enrolments 19 / 40 = 47.5% -> on track: nothing to say.
        # Net revenue 6,789.00 < 7,000: the threshold rule fires at once (it had no state yet).
        assert check(dt.date(2025, 3, 1)) == [("fbe-revenue", "firing", True)]
        # 7 August (60% expected): 47.5 < 48 -> behind: fires, once, to both recipients and the webhook.
        assert check(dt.date(2025, 8, 7)) == [("enrolments-pace", "firing", True)]
        assert check(dt.date(2025, 9, 1)) == []  # still behind, still below: no repeat
        alerts = [m for m in inbox.messages if m["Subject"] == "mckpi ALERT: enrolments-pace"]
        assert sorted(m["To"] for m in alerts) == ["mc@example.edu.my", "tnc@example.edu.my"]
        (tmp_path / "received-alert.eml").write_bytes(bytes(alerts[0]))  # kept in pytest's temp folder
        body = alerts[0].get_body(("plain",)).get_content()
        assert "Enrolments [University] 2025: behind; 19 of 40 (47.5% achieved; expected by now 60.0%)" in body
        assert "forecast at 31 Dec (run-rate): 31.67 (79.2%); 8.33 short; at this pace the target is reached on " \
               "2026-04-07" in body
        assert [c["status"] for c in hook.calls] == ["firing"] and hook.calls[0]["alert"] == "enrolments-pace"
        # Back to a day on pace: it recovers, once.
        assert check(dt.date(2025, 3, 2)) == [("enrolments-pace", "recovered", True)]
        assert check(dt.date(2025, 3, 3)) == []
        assert [c["status"] for c in hook.calls] == ["firing", "recovered"]
    subjects = sorted(m["Subject"] for m in inbox.messages)
    assert subjects == ["mckpi ALERT: enrolments-pace"] * 2 + ["mckpi ALERT: fbe-revenue"] + \
        ["mckpi RECOVERED: enrolments-pace"] * 2
    revenue = next(m for m in inbox.messages if m["Subject"] == "mckpi ALERT: fbe-revenue")
    assert "Revenue (net_revenue_rm) 2025: 6,789 (fires below 7000)" in revenue.get_body(("plain",)).get_content()
    assert [(r["rule"], r["change"], r["result"]) for r in env.audit("alert")] == [
        ("fbe-revenue", "firing", "sent"), ("enrolments-pace", "firing", "sent"),
        ("enrolments-pace", "recovered", "sent")]


def test_freshness_and_quarantine_alerts_and_an_undelivered_alert_is_tried_again(tmp_path, smtp):
    from etl.load import run_etl
    from etl.sender import failed_sends, send_due

    inbox, port = smtp
    env = make_env(tmp_path, port, extra=(
        '[freshness]\nmax_age_hours = 36\n'
        '[[alert]]\nid = "stale"\nkind = "freshness"\nrecipients = ["data@example.edu.my"]\n'
        '[[alert]]\nid = "quarantine"\nkind = "quarantine_share"\nmax_pct = 50\nrecipients = ["data@example.edu.my"]\n'))
    settings = env.settings
    result = run_etl(settings, settings.paths.landing, settings.paths.warehouse)
    from dashboard.warehouse import Warehouse

    wh = Warehouse(settings.paths.warehouse)
    published = dt.datetime.fromisoformat(wh.info()["published_at"])
    wh.close()
    assert result.rows_quarantined > 0

    def check(hours: float) -> list:
        run = send_due(settings, now=published + dt.timedelta(hours=hours), sleep=lambda s: None)
        return [(a.rule_id, a.change, a.ok) for a in run.alerts]

    assert check(1) == []  # fresh, and the hand fixture's few bad rows are far below 50%
    inbox.always_fail = True
    assert check(40) == [("stale", "firing", False)]  # 40 h > 36 h; the mail server is down
    assert [sid for sid, _ in failed_sends(settings)] == ["alert stale"]
    assert check(41) == [("stale", "firing", False)]  # not delivered yet: tried again, not forgotten
    inbox.always_fail = False
    assert check(42) == [("stale", "firing", True)]
    assert check(43) == []
    assert check(2) == [("stale", "recovered", True)]
    assert [m["Subject"] for m in inbox.messages] == ["mckpi ALERT: stale", "mckpi RECOVERED: stale"]
    assert "the published data is 42 h old (limit 36 h)" in inbox.messages[0].get_body(("plain",)).get_content()
    assert failed_sends(settings) == []


def test_bad_alert_rules_are_refused_by_name(tmp_path):
    from etl.alerts import AlertRuleError, load_rules

    env = make_env(tmp_path, free_port(), extra=(
        '[[alert]]\nid = "x"\nkind = "threshold"\nkpi = "revenue"\ncolumn = "net_revenue_rm"\n'
        'recipients = ["a@example.edu.my"]\n'))
    with pytest.raises(AlertRuleError, match=r"\[\[alert\]\] 1 \(x\): kind threshold needs column and one of below"):
        load_rules(env.settings)
    sent = env.cli("subscribe", "send")
    assert sent.exit_code == 1 and "kind threshold needs column" in sent.output


def test_the_deploy_files_schedule_the_sends_and_configure_mail():
    from etl.mail import check_settings

    deploy = REPO_ROOT / "deploy"
    settings = load_settings(deploy / "mckpi.toml.example")
    check_settings(settings.mail)  # a complete [mail] section
    assert settings.mail.security == "starttls" and settings.paths.mail_state == Path("/srv/mckpi/mail/state.json")
    assert "ExecStart=/opt/mckpi/.venv/bin/mckpi subscribe send" in (deploy / "mckpi-subscribe.service").read_text()
    assert "Unit=mckpi-subscribe.service" in (deploy / "mckpi-subscribe.timer").read_text()
    cron = [line for line in (deploy / "crontab.example").read_text().splitlines() if not line.startswith("#")]
    assert any(line.startswith("15 * * * * mckpi ") and line.endswith("mckpi subscribe send >> "
               "/var/log/mckpi/subscribe.log 2>&1") for line in cron)
    assert "MCKPI_SMTP_PASSWORD=\n" in (deploy / "mckpi.env.example").read_text()  # the secret only there, empty
