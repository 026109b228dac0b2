"""What every demo builder shares: the seeded random generator, the moment the demo is built, its
cast, member text rendered as real use renders it, the clock that dates what the helpers write,
and the news (notifications) told in the order it happened.

The kernel and feature helpers stamp what they add with the present (`created_at` defaults to
now). The demo replays a year and a half of history, so a builder sets the clock while it calls
them for a past event (`with demo.at(when): fans.record(...)`): a row added to the session
without a `created_at` gets the clock's time instead of the default.
"""
from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any

from sqlalchemy import Select, event, select
from sqlalchemy.orm import Session, scoped_session

from ..accounts.models import User
from ..kernel import images, notifications
from ..kernel.notifications import Notification
from ..kernel.text import Rendered, render_text
from ..kernel.timeutil import utcnow

# Members hear of what happened since: older news was never told (it came before notifications did).
NEWS_DAYS = 30


@cache
def data(name: str) -> Any:
    """One of the demo's data files, portal/demo/data/<name>.json: what its people say. Read-only."""
    return json.loads(resources.files(__package__).joinpath("data", f"{name}.json").read_text(encoding="utf-8"))


@dataclass
class Cast:
    """The people the accounts builder made, for the builders after it."""

    admin: User
    staff: list[User]  # staff and moderators, Camille first
    members: list[User]  # Alex, the demo member, first

    @property
    def everyone(self) -> list[User]:
        return [self.admin, *self.staff, *self.members]

    @property
    def alex(self) -> User:
        return self.members[0]


@dataclass(order=True)
class _News:
    when: datetime
    number: int
    call: Callable[[], None] = field(compare=False)


class Demo:
    """One demo being built: builders add to `session` and flush; `load` commits once."""

    def __init__(self, session: Session, seed: int) -> None:
        self.session = session
        self.rng = random.Random(seed)
        self.now = utcnow()
        self.cast: Cast | None = None
        self._clock: datetime | None = None
        self._news: list[_News] = []
        self._texts: dict[str, Rendered] = {}
        self._files: list[tuple[str, str]] = []

    @property
    def people(self) -> Cast:
        if self.cast is None:
            raise RuntimeError("the accounts demo builder runs first: the others need its people")
        return self.cast

    def text(self, source: str) -> Rendered:
        """Member text as it is stored when saved (`render_text`). The cast does not change while the demo
        is built, so the same words render the same: each distinct text is rendered once."""
        if source not in self._texts:
            self._texts[source] = render_text(self.session, source)
        return self._texts[source]

    def store(self, kind: str, data: bytes, suffix: str) -> str:
        """Keep an upload's file (`images.store`), and remember it in case the demo is rolled back."""
        name = images.store(kind, data, suffix)
        self._files.append((kind, name))
        return name

    def discard_files(self) -> None:
        """The files of a demo that was rolled back: no row points at them."""
        for kind, name in self._files:
            images.discard(kind, name)
        self._files.clear()

    # -- the clock ------------------------------------------------------------

    @contextmanager
    def at(self, when: datetime) -> Iterator[None]:
        """Date what the helpers add inside the block at `when` (the fans ledger reads it as its clock too)."""
        before, self._clock = self._clock, when
        info = (self.session() if isinstance(self.session, scoped_session) else self.session).info
        info["clock"] = when
        try:
            yield
        finally:
            self._clock = before
            if before is None:
                info.pop("clock", None)
            else:
                info["clock"] = before

    @contextmanager
    def recording(self) -> Iterator[None]:
        """While the demo is built, rows added without a `created_at` are dated by the clock."""
        target = self.session() if isinstance(self.session, scoped_session) else self.session
        event.listen(target, "transient_to_pending", self._stamp)
        try:
            yield
        finally:
            event.remove(target, "transient_to_pending", self._stamp)

    def _stamp(self, _session: Session, instance: Any) -> None:
        if self._clock is not None and getattr(instance, "created_at", False) is None:
            instance.created_at = self._clock

    # -- news -----------------------------------------------------------------

    def notify(self, when: datetime, user_id: int, kind: str, **target: Any) -> None:
        """Tell a member something at `when`, through the kernel's `notify` (see `tell_news`)."""
        self.later(when, notifications.notify, self.session, user_id, kind, **target)

    def notify_many(self, when: datetime, recipients: Select, kind: str, **target: Any) -> None:
        """Tell every member `recipients` selects at `when`, through the kernel's `notify_many` (a fan-out)."""
        self.later(when, self._fan_out, when, recipients, kind, target)

    def _fan_out(self, when: datetime, recipients: Select, kind: str, target: dict[str, Any]) -> None:
        self.session.flush()  # what was told before gets the lower ids
        notifications.notify_many(self.session, recipients, kind, at=when, **target)

    def later(self, when: datetime, fn: Callable[..., None], *args: Any, **kwargs: Any) -> None:
        """A helper call that notifies (`notify`, `notify_mentions`...), made when the news is told."""
        if when >= self.now - timedelta(days=NEWS_DAYS):
            self._news.append(_News(when, len(self._news), lambda: fn(*args, **kwargs)))

    def tell_news(self) -> None:
        """Make the queued notification calls oldest first, so ids follow time as pages expect, then
        mark each member's news read up to the last time they looked, as the notifications page does."""
        session = self.session
        with session.no_autoflush:  # the demo never repeats a like or a follow: no need to see pending rows
            for news in sorted(self._news):
                with self.at(news.when):
                    news.call()
        self._news.clear()
        session.flush()
        looked = self._last_looks()
        seen: dict[int, int] = {}
        for number, user_id, created in session.execute(
                select(Notification.id, Notification.user_id, Notification.created_at).order_by(Notification.id)):
            if created <= looked[user_id]:
                seen[user_id] = number
        for user_id, up_to in seen.items():
            notifications.mark_all_read(session, user_id, up_to=up_to)

    def _last_looks(self) -> dict[int, datetime]:
        """When each member last opened their notifications: most within two days, some not for weeks;
        Alex two days ago, so a fresh story waits for him."""
        rng, now = self.rng, self.now
        looks = {}
        for person in self.people.everyone:
            days = rng.uniform(0.05, 2) if rng.random() < 0.85 else rng.uniform(2, 45)
            looks[person.id] = now - timedelta(days=days)
        looks[self.people.alex.id] = now - timedelta(days=2)
        return looks
