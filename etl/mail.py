"""E-mail: build one MIME message (plain text + simple HTML + attachments) and send it over SMTP with retries.

    message = build_message(settings.mail, to="dean@example.edu.my", subject=..., text=..., html=...,
                            attachments=[Attachment("mckpi-report-2025-FBE.pdf", "application/pdf", data)])
    delivery = send_message(settings.mail, message)      # never raises: Delivery(ok, attempts, error, permanent)

Security (`[mail] security`): `starttls` (upgrade a plain connection, the default, port 587), `ssl` (TLS from the
first byte, port 465) or `none` (a relay on the same host). Certificates are verified (the system's CA store).
The user name and password are read from the environment variables `[mail] user_env` / `password_env` at send
time, never from a file; they are never sent over a connection without TLS.

Retries: a temporary failure (connection refused or dropped, a timeout, a 4xx answer) is tried again up to
`[mail] retries` attempts in all, waiting `backoff_s`, then twice that, ...; a permanent one (5xx, a refused
recipient, a bad login, STARTTLS not offered) is not retried. Standard library only (smtplib, email).
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from etl.config import Mail

log = logging.getLogger("mckpi.mail")

SECURITIES = ("starttls", "ssl", "none")


class MailError(ValueError):
    """Mail settings that cannot work (no host, no sender, an unknown security mode, credentials without TLS)."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    mime_type: str  # e.g. application/pdf
    data: bytes


@dataclass(frozen=True)
class Delivery:
    ok: bool
    attempts: int
    error: str = ""
    permanent: bool = False


def valid_address(value: str) -> bool:
    """A plain user@domain address (no display name, no spaces): what a subscription or alert recipient is."""
    name, address = parseaddr(value)
    return bool(address) and address == value.strip() and "@" in address and " " not in address \
        and "." in address.rsplit("@", 1)[1]


def check_settings(mail: Mail) -> None:
    if not mail.host.strip():
        raise MailError("mail is off: set [mail] host (and from_address) in mckpi.toml")
    if not mail.from_address.strip():
        raise MailError("set [mail] from_address in mckpi.toml")
    if mail.security not in SECURITIES:
        raise MailError(f"[mail] security must be one of {', '.join(SECURITIES)}, not {mail.security!r}")
    if mail.retries < 1:
        raise MailError("[mail] retries must be at least 1")


def credentials(mail: Mail, env: Mapping[str, str] | None = None) -> tuple[str, str] | None:
    """(user, password) from the environment, or None to send without logging in."""
    env = os.environ if env is None else env
    user = env.get(mail.user_env, "")
    if not user:
        return None
    return user, env.get(mail.password_env, "")


def build_message(mail: Mail, *, to: str, subject: str, text: str, html: str | None = None,
                  attachments: Sequence[Attachment] = ()) -> EmailMessage:
    """One message to one recipient: text/plain, text/html as its alternative, then the attachments."""
    message = EmailMessage()
    message["From"] = mail.from_address
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    domain = parseaddr(mail.from_address)[1].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to a scheduled report
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for a in attachments:
        maintype, _, subtype = a.mime_type.partition("/")
        message.add_attachment(a.data, maintype=maintype, subtype=subtype, filename=a.filename)
    return message


def _send_once(mail: Mail, message: EmailMessage, login: tuple[str, str] | None) -> None:
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if mail.security == "ssl":
        smtp = smtplib.SMTP_SSL(mail.host, mail.port, timeout=mail.timeout_s, context=context)
    else:
        smtp = smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout_s)
    with smtp:
        smtp.ehlo()
        if mail.security == "starttls":
            smtp.starttls(context=context)  # raises SMTPNotSupportedError when the server does not offer it
            smtp.ehlo()
        if login is not None:
            smtp.login(*login)
        smtp.send_message(message)


def _describe(exc: BaseException) -> tuple[str, bool]:
    """(one line, permanent?) for a failed attempt."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        text = "; ".join(f"{rcpt}: {code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
                         for rcpt, (code, msg) in exc.recipients.items())
        return f"recipient refused: {text}", all(code >= 500 for code in codes)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"SMTP login refused ({exc.smtp_code})", True
    if isinstance(exc, smtplib.SMTPResponseException):
        msg = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"SMTP {exc.smtp_code} {' '.join(msg.split())}", exc.smtp_code >= 500
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"the server does not support this: {exc}", True
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate not trusted: {exc.verify_message}", True
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {text}", False


def send_message(mail: Mail, message: EmailMessage, *, sleep: Callable[[float], None] = time.sleep,
                 env: Mapping[str, str] | None = None) -> Delivery:
    """Send with retries and backoff. Never raises (a settings problem is a permanent failure)."""
    try:
        check_settings(mail)
        login = credentials(mail, env)
        if login is not None and mail.security == "none":
            raise MailError(f"{mail.user_env} is set but [mail] security is none: a password is never sent "
                            "without TLS (use starttls or ssl)")
    except MailError as exc:
        return Delivery(False, 0, str(exc), permanent=True)
    error, permanent = "", False
    for attempt in range(1, mail.retries + 1):
        try:
            _send_once(mail, message, login)
            log.info("sent %r to %s (attempt %d)", str(message["Subject"]), message["To"], attempt)
            return Delivery(True, attempt)
        except (smtplib.SMTPException, OSError) as exc:  # OSError: refused, reset, timeout, DNS, TLS
            error, permanent = _describe(exc)
        log.warning("sending to %s failed (attempt %d of %d): %s", message["To"], attempt, mail.retries, error)
        if permanent or attempt == mail.retries:
            return Delivery(False, attempt, error, permanent)
        sleep(mail.backoff_s * 2 ** (attempt - 1))
    return Delivery(False, mail.retries, error, permanent)  # pragma: no cover - the loop always returns


__all__ = ["Attachment", "Delivery", "MailError", "SECURITIES", "build_message", "check_settings", "credentials",
           "send_message", "valid_address"]
