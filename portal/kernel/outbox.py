"""Reading the outbox: the mail Tribune wrote to instance/outbox/ when no SMTP server is set
(admins read all of it, and in the demo each member reads their own)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path

from .mail import outbox_path
from .tasks import task


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


@task(retries=2, retry_delay=30)
def erase_mail_to(address: str) -> int:
    """Delete every message sent to `address` (an account erased: in the demo, whoever signs up with the
    address next must not read its old mail). Returns how many were deleted. A background task: it reads every
    message of the outbox, too slow for the request that deletes the account (which queues it after its commit)."""
    folder = outbox_path()
    if not folder.is_dir():
        return 0
    erased = 0
    for path in folder.glob("*.eml"):
        try:
            headers = message_from_bytes(path.read_bytes(), _class=EmailMessage, policy=default_policy)
        except OSError:
            continue  # removed meanwhile
        if any(addr.lower() == address.lower() for _name, addr in getaddresses([str(headers["To"] or "")])):
            path.unlink(missing_ok=True)
            erased += 1
    return erased


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
