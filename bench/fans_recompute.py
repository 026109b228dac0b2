"""Time the engagement scores at scale: a full recompute, the nightly pass, and one contribution's cost.

    .venv/bin/python bench/fans_recompute.py [--members 100000] [--events 2000000] [--database sqlite|postgresql|both]

Builds a database of its own (a SQLite file in a temporary folder; on PostgreSQL a database named
tribune_bench_fans_<random> at TEST_DATABASE_URL's server, dropped afterwards), migrated with the
real migrations, with `--members` members and `--events` engagement events spread over 400 days
(bulk inserts: this measures the scoring, not the building). Then it times:
- `scoring.recompute` of every standing from the ledger (what `flask portal recompute-scores` and
  the nightly decay run), and checks that a second recompute gives the same numbers;
- the nightly pass's tier part (lines drawn from every active member, then every member evaluated);
- one contribution through `fans.service.record`, and the SQL statements it adds (counted).
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from portal import create_app  # noqa: E402
from portal.extensions import db  # noqa: E402

PG_ADMIN = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
KINDS = [("visit", 1000), ("like_given", 500), ("like_received", 1000), ("comment", 2000), ("idea_vote", 1000),
         ("post", 5000), ("reply", 1000), ("idea_comment", 2000)]


def build(members: int, events: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    now = datetime.utcnow().replace(microsecond=0)
    users = sa.table("users", sa.column("id"), sa.column("email"), sa.column("display_name"), sa.column("username"),
                     sa.column("password_hash"), sa.column("created_at"), sa.column("email_verified_at"))
    old = now - timedelta(days=500)
    for start in range(0, members, 20_000):
        db.session.execute(sa.insert(users), [
            {"id": i, "email": f"m{i}@bench.invalid", "display_name": f"Member {i}", "username": f"m{i}",
             "password_hash": "!", "created_at": old, "email_verified_at": old}
            for i in range(start + 1, min(members, start + 20_000) + 1)])
    table = sa.table("engagement_events", sa.column("user_id"), sa.column("kind"), sa.column("created_at"),
                     sa.column("day"), sa.column("weight"), sa.column("points"))
    # A few members do most of the work, as in real communities (a Pareto-like spread).
    weights = [1 / (i ** 0.8) for i in range(1, members + 1)]
    for start in range(0, events, 50_000):
        n = min(50_000, events - start)
        who = rng.choices(range(1, members + 1), weights=weights, k=n)
        rows = []
        for uid in who:
            kind, weight = KINDS[rng.randrange(len(KINDS))]
            when = now - timedelta(days=rng.randrange(400), seconds=rng.randrange(86_400))
            rows.append({"user_id": uid, "kind": kind, "created_at": when, "day": when.date().toordinal(),
                         "weight": weight, "points": weight})
        db.session.execute(sa.insert(table), rows)
    db.session.commit()


def measure(url: str, instance: Path, members: int, events: int) -> dict[str, float]:
    from portal.fans import scoring, service, tiers
    from portal.fans.models import FanStanding
    from portal.fans.promotions import evaluate_everyone

    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(instance), "SECRET_KEY": "bench", "TESTING": True,
                      "JOBS_IMMEDIATE": True})
    result: dict[str, float] = {}
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        build(members, events)
        result["build_s"] = time.perf_counter() - started

        started = time.perf_counter()
        result["standings"] = scoring.recompute(db.session)
        result["recompute_s"] = time.perf_counter() - started
        first = dict(db.session.execute(sa.select(FanStanding.user_id, FanStanding.score)).all())
        scoring.recompute(db.session)
        again = dict(db.session.execute(sa.select(FanStanding.user_id, FanStanding.score)).all())
        assert first == again, "two recomputes disagree"

        started = time.perf_counter()
        lines = tiers.draw_lines(db.session)
        db.session.commit()
        evaluate_everyone(db.session, demote=True)
        result["tiers_s"] = time.perf_counter() - started
        result["active"] = lines.active

        statements: list[str] = []
        sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        started = time.perf_counter()
        for uid in range(1, 201):
            service.record(db.session, uid, "comment")
            db.session.commit()
        result["record_ms"] = (time.perf_counter() - started) / 200 * 1000
        writes = [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
        result["statements_per_record"] = len(statements) / 200
        result["writes_per_record"] = len(writes) / 200
        db.session.remove()
        db.engine.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.database in ("sqlite", "both"):
            got = measure(f"sqlite:///{folder}/bench.db", Path(folder) / "sqlite", args.members, args.events)
            print("sqlite", {k: round(v, 2) for k, v in got.items()}, flush=True)
        if args.database in ("postgresql", "both"):
            name = f"tribune_bench_fans_{uuid.uuid4().hex[:8]}"
            admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
            try:
                url = sa.make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
                got = measure(url, Path(folder) / "postgresql", args.members, args.events)
                print("postgresql", {k: round(v, 2) for k, v in got.items()}, flush=True)
            finally:
                with admin.connect() as conn:
                    conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
