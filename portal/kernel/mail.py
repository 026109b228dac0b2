"""Sending one email: rendered now in the recipient's language, delivered by a job.

Rendering happens where the message is asked for (inside the app, after the
caller's commit); delivery happens in the job consumer, which retries when the
SMTP server is away, so a message is never lost to a passing outage.
"""
from __future__ import annotations

import smtplib
from email import message_from_string
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from secrets import token_hex
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale

from ..extensions import db
from .site import site_settings
from .tasks import task
from .timeutil import utcnow


def compose(to: str, subject: Any, template: str, locale: str | None, **context: Any) -> EmailMessage:
    """Build a text + HTML message from templates/mail/<template>.txt and .html."""
    config = current_app.config
    locale = locale or config["DEFAULT_LOCALE"]
    context.setdefault("site_name", site_settings(db.session).name)
    # Links in mail point at the public address, whether or not a request is running.
    with current_app.test_request_context(base_url=config["BASE_URL"]), force_locale(locale):
        text = render_template(f"mail/{template}.txt", **context)
        html = render_template(f"mail/{template}.html", **context)
        subject_text = str(subject)
    message = EmailMessage()
    message["Subject"] = subject_text
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=parseaddr(config["MAIL_FROM"])[1].partition("@")[2] or None)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    message["Content-Language"] = locale  # after the parts: making them moves Content-* headers down
    return message


def send(to: str, subject: Any, template: str, locale: str | None = None, **context: Any) -> None:
    """Compose a message and queue its delivery. Call after the transaction commits."""
    queue(compose(to, subject, template, locale, **context))


def queue(message: EmailMessage) -> None:
    """Hand a composed message to the job queue for delivery."""
    deliver(message.as_string(policy=SMTP))


@task(retries=5, retry_delay=60)
def deliver(raw: str) -> None:
    """Hand one message to the configured backend; raising makes Huey retry it."""
    config = current_app.config
    backend = config["MAIL_BACKEND"]
    if backend == "smtp":
        _deliver_smtp(raw, config)
    elif backend == "outbox":
        _deliver_outbox(raw, outbox_path())
    else:
        raise RuntimeError(f"Unknown MAIL_BACKEND {backend!r}: use 'outbox' or 'smtp'.")


def outbox_path() -> Path:
    return Path(current_app.instance_path) / "outbox"


def _deliver_outbox(raw: str, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    path = folder / f"{stamp}-{token_hex(4)}.eml"
    tmp = folder / f".{path.name}.tmp"
    tmp.write_text(raw, encoding="utf-8")
    tmp.replace(path)
    return path


def _deliver_smtp(raw: str, config: dict[str, Any]) -> None:
    message = message_from_string(raw, _class=EmailMessage, policy=SMTP)
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=config["SMTP_TIMEOUT"]) as smtp:
        if config["SMTP_STARTTLS"]:
            smtp.starttls()
        if config["SMTP_USERNAME"]:
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
        smtp.send_message(message)
