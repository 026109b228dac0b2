"""What every step of the benchmark builder shares: the sizes of each scale, the seeded random generator,
the moment the data is built, long-tail (Zipf-Mandelbrot) choosers, bulk inserts and step timers."""
from __future__ import annotations

import bisect
import itertools
import random
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Table, insert, text
from sqlalchemy.orm import Session

from ..extensions import db

SCALES = ("0.01", "0.1", "1", "10")
DAYS = 400  # the community's history
CHUNK = 5000  # rows a statement: SQLite binds each row's values separately (executemany), PostgreSQL pages them


@dataclass(frozen=True)
class Sizes:
    """What one scale holds; scale 1 is 10,000 members."""

    members: int
    posts: int
    comments: int
    likes: int
    ideas: int
    votes: int
    idea_comments: int
    events: int

    @classmethod
    def of(cls, scale: str) -> Sizes:
        factor = float(scale)
        base = {"members": 10_000, "posts": 50_000, "comments": 150_000, "likes": 500_000, "ideas": 20_000,
                "votes": 500_000, "idea_comments": 40_000, "events": 1_000_000}
        return cls(**{name: round(value * factor) for name, value in base.items()})


class Picker:
    """Draws from `items` with a long tail: the item of rank r weighs 1 / (r + q)^s (Zipf-Mandelbrot), so a
    few items take most draws, without the single head of a pure Zipf law."""

    def __init__(self, rng: random.Random, items: Sequence[Any], *, s: float = 1.0, q: float = 10.0,
                 weights: Sequence[float] | None = None) -> None:
        self.rng, self.items = rng, list(items)
        raw = weights if weights is not None else [1 / (rank + q) ** s for rank in range(1, len(self.items) + 1)]
        self.cum = list(itertools.accumulate(raw))
        self.total = self.cum[-1] if self.cum else 0.0

    def one(self) -> Any:
        return self.items[bisect.bisect(self.cum, self.rng.random() * self.total)]

    def many(self, k: int) -> list[Any]:
        return self.rng.choices(self.items, cum_weights=self.cum, k=k)

    def distinct(self, k: int, exclude: Iterable[Any] = ()) -> list[Any]:
        """Up to k different items (fewer when the tail runs dry), none of `exclude`."""
        taken, chosen = set(exclude), []
        k = min(k, len(self.items) - len(taken))
        tries = 0
        while len(chosen) < k and tries < 20 * k + 100:
            item = self.one()
            tries += 1
            if item not in taken:
                taken.add(item)
                chosen.append(item)
        return chosen


def spread(rng: random.Random, total: int, weights: Sequence[float]) -> list[int]:
    """`total` draws shared among len(weights) bins by weight (each draw one bin): the counts per bin."""
    counts = [0] * len(weights)
    if not weights:
        return counts
    cum = list(itertools.accumulate(weights))
    for index in rng.choices(range(len(weights)), cum_weights=cum, k=total):
        counts[index] += 1
    return counts


class Sample:
    """Knuth's selection sampling: exactly `wanted` of `population` items offered one by one, each equally likely."""

    def __init__(self, rng: random.Random, wanted: int, population: int) -> None:
        self.rng, self.left, self.seen = rng, max(0, min(wanted, population)), population

    def take(self) -> bool:
        chosen = self.left > 0 and self.rng.random() * self.seen < self.left
        self.seen -= 1
        if chosen:
            self.left -= 1
        return chosen


@dataclass
class Bench:
    """One build: the session, the generator, the moment it happens, and what each step measured."""

    session: Session
    scale: str
    seed: int
    now: datetime
    rng: random.Random = field(init=False)
    sizes: Sizes = field(init=False)
    seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    manifest: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.sizes = Sizes.of(self.scale)

    @property
    def start(self) -> datetime:
        return self.now - timedelta(days=DAYS)

    def moment(self, after: datetime, before: datetime | None = None) -> datetime:
        """A moment between `after` and `before` (now), to the second."""
        before = before or self.now
        span = max(0, int((before - after).total_seconds()))
        return after + timedelta(seconds=self.rng.randint(0, span))

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.seconds[name] = round(self.seconds.get(name, 0.0) + time.perf_counter() - started, 2)

    def insert(self, table: Table | Any, rows: Iterable[dict[str, Any]]) -> int:
        """Insert the rows in chunks; returns how many. Tables of plain columns go straight to the driver
        (`_write`); the others (JSON columns) through SQLAlchemy Core, which serialises them."""
        table = getattr(table, "__table__", table)
        plain = not any(isinstance(column.type, JSON) for column in table.columns)
        count, chunk = 0, []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= CHUNK:
                self._write(table, chunk) if plain else self.session.execute(insert(table), chunk)
                count, chunk = count + len(chunk), []
        if chunk:
            self._write(table, chunk) if plain else self.session.execute(insert(table), chunk)
            count += len(chunk)
        return count

    def _write(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """Rows of ints, strings, booleans, moments and NULLs, in the session's transaction: PostgreSQL's COPY,
        SQLite's executemany; moments spelled as SQLAlchemy stores them on SQLite. Every row has the same keys."""
        names = list(rows[0])
        connection = self.session.connection()
        if connection.dialect.name == "postgresql":
            with connection.connection.dbapi_connection.cursor() as cursor:
                with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row([row[name] for name in names])
            return
        marks = ", ".join("?" for _ in names)
        connection.exec_driver_sql(f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})",
                                   [tuple(_sqlite(row[name]) for name in names) for row in rows])


def _sqlite(value: Any) -> Any:
    return f"{value:%Y-%m-%d %H:%M:%S.%f}" if isinstance(value, datetime) else value


def roomy(session: Session) -> None:
    """SQLite: a page cache of 256 MB on this connection (the default 2 MB thrashes once the indexes of a
    million events outgrow it, and the inserts slow down as the tables grow)."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA cache_size=-262144"))


def reset_sequences(session: Session) -> None:
    """PostgreSQL: each id sequence continues after the ids the builder chose (SQLite does so by itself)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        column = table.c.get("id")
        if column is None or not column.primary_key or not column.autoincrement:
            continue
        session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                             f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"))


def analyze(session: Session) -> None:
    """Statistics for the planner after the bulk load."""
    if session.get_bind().dialect.name == "postgresql":
        session.commit()
        session.execute(text("ANALYZE"))
    else:
        session.execute(text("ANALYZE"))
        session.execute(text("PRAGMA optimize"))
    session.commit()
