"""Reading the outbox: the mail Tribune wrote to instance/outbox/ when no SMTP server is set
(admins read all of it, and in the demo each member reads their own)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import parsedate_to_datetime
from pathlib import Path

from .mail import outbox_path


@dataclass(frozen=True)
class OutboxMessage:
    name: str
    to: str
    subject: str
    sent_at: datetime | None
    text: str
    html: str


def outbox_messages(*, recipient: str | None = None, limit: int = 100) -> list[OutboxMessage]:
    """The newest messages in instance/outbox, optionally only those sent to one address."""
    folder = outbox_path()
    if not folder.is_dir():
        return []
    found: list[OutboxMessage] = []
    for path in sorted(folder.glob("*.eml"), reverse=True):
        message = _read_eml(path)
        if recipient and message.to.lower() != recipient.lower():
            continue
        found.append(message)
        if len(found) >= limit:
            break
    return found


def outbox_message(name: str) -> OutboxMessage | None:
    path = outbox_path() / Path(name).name
    return _read_eml(path) if path.suffix == ".eml" and path.is_file() else None


def _parse_date(value: object) -> datetime | None:
    try:
        return parsedate_to_datetime(str(value)).astimezone(UTC).replace(tzinfo=None) if value else None
    except (TypeError, ValueError):
        return None


def _read_eml(path: Path) -> OutboxMessage:
    message = message_from_bytes(path.read_bytes(), _class=EmailMessage, policy=default_policy)
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    return OutboxMessage(
        name=path.name,
        to=str(message["To"] or ""),
        subject=str(message["Subject"] or ""),
        sent_at=_parse_date(message["Date"]),
        text=text.get_content() if text else "",
        html=html.get_content() if html else "",
    )
