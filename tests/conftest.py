"""Fixtures: an app with its own database per test, on SQLite or PostgreSQL.

TEST_DATABASE=sqlite (default) or postgresql picks the leg. On PostgreSQL,
TEST_DATABASE_URL names a server where we may create databases (default: the
local one as `postgres`). Each leg migrates one template database with the real
Alembic migrations, then copies it for every test, so each test starts clean.
"""
from __future__ import annotations

import os
import shutil
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url
from werkzeug.security import generate_password_hash

from portal import create_app
from portal.accounts.models import Role, Tier, User
from portal.extensions import db
from portal.kernel.timeutil import utcnow

BACKEND = os.environ.get("TEST_DATABASE", "sqlite")
PG_ADMIN_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PASSWORD = "correct horse battery staple"


def pytest_report_header(config: pytest.Config) -> str:
    return f"Tribune test database: {BACKEND}"


def _migrate(url: str, instance: Path) -> None:
    from flask_migrate import upgrade

    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(instance), "SECRET_KEY": "template", "TESTING": True})
    with app.app_context():
        upgrade()
        db.engine.dispose()


def _pg_admin() -> sa.Engine:
    return sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database that every test copies: a file on SQLite, a template database on PostgreSQL."""
    folder = tmp_path_factory.mktemp("template")
    if BACKEND == "sqlite":
        path = folder / "template.db"
        _migrate(f"sqlite:///{path}", folder)
        yield str(path)
        return
    if BACKEND != "postgresql":
        raise pytest.UsageError(f"TEST_DATABASE must be sqlite or postgresql, not {BACKEND!r}")
    name = f"tribune_tpl_{uuid.uuid4().hex[:10]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    _migrate(make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False), folder)
    yield name
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def database_url(database_template: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """This test's own database, copied from the template."""
    if BACKEND == "sqlite":
        path = tmp_path / "tribune.db"
        shutil.copyfile(database_template, path)
        yield f"sqlite:///{path}"
        return
    databases = request.getfixturevalue("pg_databases")
    name = databases.take()
    yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    databases.give_back(name)


class PgDatabases:
    """Copies of the template database, made and dropped by a thread of their own while the tests run: a
    DROP DATABASE waits about 0.3 s for the server, a CREATE 0.1 s, and a test need not wait for either."""

    SPARES = 2

    def __init__(self, template: str) -> None:
        self.template = template
        self.admin = _pg_admin()
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pg-databases")
        self.spares: deque[Future[str]] = deque(self.worker.submit(self._create) for _ in range(self.SPARES))
        self.drops: list[Future[None]] = []

    def _create(self) -> str:
        name = f"tribune_t_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return name

    def _drop(self, name: str) -> None:
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def take(self) -> str:
        """A fresh copy; a copy that could not be made fails this test with the server's own error."""
        ready = self.spares.popleft()
        self.spares.append(self.worker.submit(self._create))  # first, so that a failure costs no spare
        return ready.result()

    def give_back(self, name: str) -> None:
        self.drops.append(self.worker.submit(self._drop, name))

    def close(self) -> None:
        """Drop every copy, then say if any copy could not be made or dropped (a database left behind)."""
        errors: list[BaseException] = []
        try:
            for spare in self.spares:
                try:
                    self.drops.append(self.worker.submit(self._drop, spare.result()))
                except Exception as error:  # noqa: BLE001 - raised below, once the others are dropped
                    errors.append(error)
        finally:
            self.worker.shutdown(wait=True)  # every drop done before the template goes
            self.admin.dispose()
        errors += [drop.exception() for drop in self.drops if drop.exception() is not None]
        if errors:
            raise errors[0]


@pytest.fixture(scope="session")
def pg_databases(database_template: str) -> Iterator[PgDatabases]:
    databases = PgDatabases(database_template)
    yield databases
    databases.close()


@pytest.fixture
def redis_url() -> str:
    """An emptied Redis database of this test worker's own: 15, 14... on the SQLite leg, 11, 10... on the
    PostgreSQL leg (the two legs run side by side, each with up to four pytest-xdist workers).

    Skipped when no Redis answers, except in CI, where the job-queue and cache tests must run.
    """
    redis = pytest.importorskip("redis")
    server, _, number = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15").rpartition("/")
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    url = f"{server}/{int(number) - worker - (4 if BACKEND == 'postgresql' else 0)}"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"no Redis at {url}")
    return url


@pytest.fixture
def app_config(database_url: str, tmp_path: Path) -> dict[str, Any]:
    """Settings for this test's app; a test may change them before asking for `app`."""
    return {
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test-secret",
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "JOBS_IMMEDIATE": True,
        "BASE_URL": "http://tribune.test",
        "MAIL_BACKEND": "outbox",
    }


class IsolatedClient(FlaskClient):
    """Runs each request in its own app context, as a real server does.

    The `app` fixture keeps an app context pushed for the test's own database work;
    without this, requests would reuse it and share `g`, where Flask-Login keeps the
    signed-in member, so one request's (or client's) sign-in would leak into the next.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    app = create_app(app_config)
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


_HASH: dict[str, str] = {}


def password_hash(password: str = PASSWORD) -> str:
    """Hashing is slow on purpose; tests share one hash per password."""
    if password not in _HASH:
        _HASH[password] = generate_password_hash(password)
    return _HASH[password]


@pytest.fixture
def make_member(app: Flask) -> Callable[..., User]:
    """Create a member; keyword arguments override the defaults."""
    counter = iter(range(1, 10_000))

    def make(**overrides: Any) -> User:
        n = next(counter)
        password = overrides.pop("password", PASSWORD)
        values: dict[str, Any] = {
            "email": f"member{n}-{uuid.uuid4().hex[:6]}@example.com",
            "display_name": f"Member {n}",
            "password_hash": password_hash(password),
            "email_verified_at": utcnow(),
            "role": Role.MEMBER,
        }
        values.update(overrides)
        user = User(**values)
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def member(make_member: Callable[..., User]) -> User:
    return make_member(display_name="Marie Member", email="marie@example.com")


@pytest.fixture
def superfan(make_member: Callable[..., User]) -> User:
    """A member (role MEMBER) whose engagement tier is SUPERFAN: sees the superfans-only boards."""
    return make_member(display_name="Sophie Superfan", email="sophie@example.com", tier=Tier.SUPERFAN)


@pytest.fixture
def stranger(make_member: Callable[..., User]) -> User:
    return make_member(display_name="Sven Stranger", email="sven@example.com")


@pytest.fixture
def moderator(make_member: Callable[..., User]) -> User:
    return make_member(display_name="Mo Moderator", email="mo@example.com", role=Role.MODERATOR)


@pytest.fixture
def staff(make_member: Callable[..., User]) -> User:
    return make_member(display_name="Stella Staff", email="stella@example.com", role=Role.STAFF)


@pytest.fixture
def admin(make_member: Callable[..., User]) -> User:
    return make_member(display_name="Ada Admin", email="ada@example.com", role=Role.ADMIN)


ESTABLISHED_AGE = timedelta(days=30)


@pytest.fixture
def established(make_member: Callable[..., User]) -> Callable[..., User]:
    """A verified member whose account is a month old (past the new-account posting cap)."""

    def make(**overrides: Any) -> User:
        overrides.setdefault("created_at", utcnow() - ESTABLISHED_AGE)
        return make_member(**overrides)

    return make


@pytest.fixture
def alice(established: Callable[..., User]) -> User:
    return established(display_name="Alice Author", username="alice")


@pytest.fixture
def bob(established: Callable[..., User]) -> User:
    return established(display_name="Bob Reader", username="bob")


@pytest.fixture
def carol(established: Callable[..., User]) -> User:
    return established(display_name="Carol Third", username="carol")


class Auth:
    """Sign a test client in and out through the real login form."""

    def __init__(self, client: FlaskClient):
        self.client = client

    def login(self, user_or_email: User | str, password: str = PASSWORD, remember: bool = False):
        email = user_or_email.email if isinstance(user_or_email, User) else user_or_email
        data = {"email": email, "password": password}
        if remember:
            data["remember"] = "y"
        response = self.client.post("/login", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return response

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    return Auth(client)


@pytest.fixture
def login(app: Flask) -> Callable[[User], FlaskClient]:
    """A browser of its own, signed in as `user` through the login form."""

    def sign_in(user: User) -> FlaskClient:
        browser = app.test_client()
        response = browser.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:1000]
        return browser

    return sign_in


@pytest.fixture
def count_queries(app: Flask) -> Callable[[], Any]:
    """`with count_queries() as q: ...` then `q.count` is the number of SQL statements run."""
    from contextlib import contextmanager

    class Counter:
        count = 0
        statements: list[str] = []

    @contextmanager
    def counting() -> Iterator[Counter]:
        counter = Counter()
        counter.statements = []

        def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            counter.count += 1
            counter.statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", before)

    return counting


def outbox(app: Flask) -> list[Any]:
    """Messages the outbox backend wrote, oldest first, parsed."""
    from email import message_from_bytes
    from email.policy import default

    folder = Path(app.instance_path) / "outbox"
    if not folder.is_dir():
        return []
    return [message_from_bytes(p.read_bytes(), policy=default) for p in sorted(folder.glob("*.eml"))]


@pytest.fixture
def mailbox(app: Flask) -> Callable[[], list[Any]]:
    return lambda: outbox(app)
