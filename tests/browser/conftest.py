"""Browser fixtures: the real app on a live server, driven by Debian's chromium through Playwright.

`playwright install` cannot run here, so the browser is /usr/bin/chromium. Without it the
browser tests are skipped, except in CI (CI=true), where a missing browser is a failure.
"""
from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.security import generate_password_hash
from werkzeug.serving import make_server

from portal import create_app
from portal.accounts.models import Role, User
from portal.extensions import db
from portal.kernel.timeutil import utcnow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
# The PostgreSQL leg runs beside the SQLite one: it keeps its own copies, so neither overwrites a file the other writes.
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots" / ("postgresql" if os.environ.get("TEST_DATABASE") == "postgresql" else "")
SIZES: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2},
}
TIMEOUT_MS = 10_000
PASSWORD = "correct horse battery staple"
_HASHES: dict[str, str] = {}


def password_hash(password: str) -> str:
    """Hashing is slow on purpose; the tests share one hash per password."""
    if password not in _HASHES:
        _HASHES[password] = generate_password_hash(password)
    return _HASHES[password]


# -- the live server ----------------------------------------------------------


@dataclass
class LiveServer:
    url: str
    app: Flask

    def create_member(self, **overrides: Any) -> User:
        """A member written straight to the server's database; returns a detached copy of the row."""
        password = overrides.pop("password", PASSWORD)
        values: dict[str, Any] = {
            "email": f"member-{uuid.uuid4().hex[:8]}@example.com",
            "display_name": "Member",
            "password_hash": password_hash(password),
            "email_verified_at": utcnow(),
            "role": Role.MEMBER,
        }
        values.update(overrides)
        with self.app.app_context():
            user = User(**values)
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
        return user


@pytest.fixture
def live_server(app_config: dict[str, Any]) -> Iterator[LiveServer]:
    """The app with CSRF on, demo mode, the outbox and inline jobs, served on a free port in a thread."""
    app_config.update({"WTF_CSRF_ENABLED": True, "DEMO_MODE": True, "MAIL_BACKEND": "outbox", "JOBS_IMMEDIATE": True})
    app = create_app(app_config)
    server = make_server(host="127.0.0.1", port=0, app=app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    # Mail links are built from BASE_URL when a message is composed, so the real port is known in time.
    app_config["BASE_URL"] = app.config["BASE_URL"] = url
    thread = threading.Thread(target=server.serve_forever, name="tribune-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=url, app=app)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


# -- the browser ----------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless chromium for the whole run."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is not installed (apt-get install chromium); the browser tests need it"
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import Locator, sync_playwright

    playwright = sync_playwright().start()
    click = Locator.click
    Locator.click = _click_once_loaded(click)  # type: ignore[method-assign]
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        Locator.click = click  # type: ignore[method-assign]
        playwright.stop()


def _click_once_loaded(click: Callable[..., Any]) -> Callable[..., Any]:
    """Locator.click that first lets the page finish loading, as a person would.

    A click landing the moment a link's page commits can come before its stylesheet applies (the header's
    panels laid out unstyled, one over the other) or before its deferred script runs (a like button then
    submits its form and reloads the page). On a busy machine that moment lasts long enough to be hit; the
    journeys test what a person sees on a loaded page, so every click waits for the load event first.
    """

    def click_once_loaded(self: Any, *args: Any, **kwargs: Any) -> Any:
        self.page.wait_for_load_state("load")
        return click(self, *args, **kwargs)

    return click_once_loaded


@dataclass
class Problems:
    """What went wrong inside the page: script errors, and console errors such as CSP violations."""

    messages: list[str]

    def assert_none(self) -> None:
        assert not self.messages, "the browser reported problems:\n" + "\n".join(self.messages)


@pytest.fixture
def page(browser: Any) -> Iterator[Callable[[str], Any]]:
    """`page("desktop")` or `page("phone")`: a fresh page in its own context (own cookies) at that size."""
    contexts: list[Any] = []

    def open_page(size: str = "desktop") -> Any:
        context = browser.new_context(locale="en-US", **SIZES[size])
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        new = context.new_page()
        problems = Problems([])

        def on_console(message: Any) -> None:
            # Failed loads are judged by on_response below, where a form's deliberate 422 can be told apart.
            if message.type == "error" and not message.text.startswith("Failed to load resource"):
                problems.messages.append(f"console: {message.text} ({message.location.get('url')})")

        def on_response(response: Any) -> None:
            request = response.request
            if response.status >= 400 and request.resource_type != "document" and not request.url.endswith("/favicon.ico"):
                problems.messages.append(f"{request.resource_type} {request.url} answered {response.status}")

        new.on("console", on_console)
        new.on("response", on_response)
        new.on("pageerror", lambda error: problems.messages.append(f"page error: {error}"))
        new.problems = problems
        return new

    yield open_page
    for context in contexts:
        context.close()


LOCALES = {"en": "en-US", "fr": "fr-FR"}


@pytest.fixture
def lang_page(browser: Any, page: Any) -> Any:
    """`lang_page(size, lang)`: like `page(size)`, with the browser speaking `lang` (its Accept-Language)."""
    contexts: list[Any] = []

    def open_page(size: str = "desktop", lang: str = "en") -> Any:
        if lang == "en":
            return page(size)
        context = browser.new_context(locale=LOCALES[lang], **SIZES[size])
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        new = context.new_page()
        new.problems = Problems([])
        new.on("console", lambda m: m.type == "error" and not m.text.startswith("Failed to load resource")
               and new.problems.messages.append(f"console: {m.text}"))
        new.on("response", lambda r: r.status >= 400 and r.request.resource_type != "document"
               and new.problems.messages.append(f"{r.request.resource_type} {r.url} answered {r.status}"))
        new.on("pageerror", lambda error: new.problems.messages.append(f"page error: {error}"))
        return new

    yield open_page
    for context in contexts:
        context.close()


def size_of(page: Any) -> str:
    return "phone" if page.viewport_size["width"] < 600 else "desktop"


def shot(page: Any, name: str) -> Path:
    """Save a full-page screenshot to tests/browser/screenshots/<name>-<desktop|phone>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{size_of(page)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def quiet_fans(monkeypatch: pytest.MonkeyPatch) -> None:
    """No promotion or badge follows a contribution: the community's and the board's own news, counted exactly
    on the bell. The fans journey (test_fans.py) is where tiers and badges are told."""
    from portal.fans import ledger  # only this fixture reaches into the fans feature

    monkeypatch.setattr(ledger, "_queue_evaluation", lambda user_id: None)

