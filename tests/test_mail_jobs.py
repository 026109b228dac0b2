"""Mail delivery through a real local SMTP server, retries when it is away, the outbox, and the session purge."""
from __future__ import annotations

import socket
from datetime import timedelta
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from portal.accounts import sessions
from portal.accounts.jobs import purge_expired_sessions
from portal.accounts.models import User, UserSession
from portal.config import settings_of
from portal.extensions import db
from portal.kernel import mail
from portal.kernel.tasks import queue_of
from portal.kernel.timeutil import utcnow

PASSWORD = "correct horse battery staple"  # the password conftest gives every member


class Recorder:
    """An aiosmtpd handler that keeps every envelope it is given."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_smtp(port: int) -> tuple[Controller, Recorder]:
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, recorder


@pytest.fixture
def smtp_port(app_config) -> int:
    """Mail goes by SMTP to 127.0.0.1 on this port (nothing listens unless a test starts a server).

    Tests list it before `app`, so the app is built with these settings."""
    port = free_port()
    app_config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_TIMEOUT=5)
    return port


@pytest.fixture
def smtp_server(smtp_port):
    controller, recorder = start_smtp(smtp_port)
    yield recorder
    controller.stop()


@pytest.fixture
def queue(app):
    """The (in-memory, immediate-mode) job queue, empty before and after the test."""
    huey = queue_of(app)
    assert huey.immediate
    huey.flush()
    yield huey
    huey.flush()


def parsed(envelope):
    return message_from_bytes(envelope.original_content, policy=default_policy)


def signup(client, email="alice@example.com"):
    return client.post("/signup", data={"email": email, "display_name": "Alice", "password": PASSWORD})


def test_signup_mail_reaches_the_smtp_server_with_text_and_html(smtp_server, client):
    assert signup(client).status_code == 302

    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == ["alice@example.com"]
    assert envelope.mail_from == "no-reply@tribune.local"
    message = parsed(envelope)
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    assert "http://tribune.test/verify/" in message.get_body(("plain",)).get_content()
    assert "http://tribune.test/verify/" in message.get_body(("html",)).get_content()


def test_when_smtp_is_down_the_mail_waits_for_a_retry_and_is_not_lost(smtp_port, app, client, queue):
    response = signup(client)
    assert response.status_code == 302, "the member is not shown an error for a mail server outage"
    assert db.session.scalar(select(User).where(User.email == "alice@example.com")) is not None

    [retry] = queue.scheduled()
    assert retry.name == "deliver"
    assert retry.retries == 4  # five retries were allowed; the first attempt used one
    assert timedelta(seconds=50) < retry.eta - utcnow() <= timedelta(seconds=60)  # huey keeps naive UTC

    controller, recorder = start_smtp(smtp_port)  # the server is back
    try:
        for task in queue.read_schedule(retry.eta):  # what the consumer does once the delay has passed
            queue.execute(task, timestamp=retry.eta)
    finally:
        controller.stop()
    [envelope] = recorder.envelopes
    assert envelope.rcpt_tos == ["alice@example.com"]
    assert "/verify/" in parsed(envelope).get_body(("plain",)).get_content()
    assert queue.scheduled() == []


def test_delivery_raises_while_smtp_is_down_so_the_consumer_retries(smtp_port, app):
    raw = mail.compose("fan@example.com", "Hello", "verify_email", "en", user=User(display_name="Fan"), token="t",
                       hours=1).as_string()
    with pytest.raises(ConnectionRefusedError):
        mail.deliver.call_local(raw)


def test_the_outbox_backend_writes_one_eml_file_per_message(app, mailbox):
    for to in ("one@example.com", "two@example.com"):
        mail.send(to, "Hello", "verify_email", "en", user=User(display_name="Fan"), token="t", hours=1)

    files = sorted(mail.outbox_path().iterdir())
    assert [f.suffix for f in files] == [".eml", ".eml"]  # and no half-written temporary file
    assert sorted(m["To"] for m in mailbox()) == ["one@example.com", "two@example.com"]


def test_an_unknown_mail_backend_fails_loudly(app):
    app.config["MAIL_BACKEND"] = "pigeon"
    with pytest.raises(RuntimeError, match="MAIL_BACKEND"):
        mail.deliver.call_local("To: x@example.com\n\nhi")


def test_the_purge_job_deletes_expired_sessions_only(app, member, stranger, queue):
    settings = settings_of(app)
    sessions.start_session(db.session, settings, member, remember=False)
    sessions.start_session(db.session, settings, stranger, remember=False)
    sessions.start_session(db.session, settings, stranger, remember=True)
    expired = db.session.scalars(select(UserSession).where(UserSession.user_id == stranger.id)).all()
    for row in expired:
        row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()

    purge_expired_sessions()  # enqueued, and run at once in immediate mode (periodic tasks keep no result)
    db.session.expire_all()
    assert [s.user_id for s in db.session.scalars(select(UserSession))] == [member.id]
    assert purge_expired_sessions.call_local() == 0
