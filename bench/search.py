"""Search, timed in-process: the CPU time of one search request, typical and worst case, against a bare
Flask hello world timed the same way.

Run from the repository root: `.venv/bin/python bench/search.py [instance folder]` (without a folder it
builds a demo in a temporary one). Each request goes through the Flask test client, so there is no
network or server in the way: what is measured is routing, the session, the index, the queries and
the template. Rate limits are off, as in bench/run.py.

With `--query` (repeatable), as bench/run.py calls it on each database it built:
`bench/search.py FOLDER [--database-url URL] --query "two words" ... [--json]` gives instead the wall-clock
latency p50 / p95 of searching everything for those queries (anonymous, each query REPEAT times after a
warm-up), pooled over the queries.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "200"))
RARE = ("zyqxv plorbitaxeromantic grumbleflax wibbleton quorvendal snarfulgate thrimbleworth xanthopterinix "
        "borkulent mizzlethorpe crandulix vorpaliscious frobnicator zibberwock")[:200]
QUERIES = [
    ("hello world (baseline)", None),
    ("search everything, two words", "/search?q=waterproof+boots"),
    ("search everything, one typo", "/search?q=waterprof"),
    ("search everything, worst case: 200 chars of rare words", "/search?q=" + RARE.replace(" ", "+")),
    ("search ideas, two words", "/ideas/search?q=waterproof+boots"),
    ("search ideas, worst case", "/ideas/search?q=" + RARE.replace(" ", "+")),
]


def cpu_ms(client, path: str) -> float:
    """Median CPU milliseconds of one request, over ROUNDS after a warm-up."""
    for _ in range(5):
        assert client.get(path).status_code == 200, path
    times = []
    for _ in range(ROUNDS):
        start = time.process_time()
        client.get(path)
        times.append((time.process_time() - start) * 1000)
    return sorted(times)[len(times) // 2]


def create(folder: Path, database_url: str = ""):
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ.update({"INSTANCE_PATH": str(folder), "RATELIMIT_ENABLED": "false"})
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    sys.path.insert(0, str(ROOT))
    # Here, not at the top: the environment above must be set before the app reads it.
    from portal import create_app

    return create_app({"BASE_URL": "http://localhost"})  # the test client's host


def latency(folder: Path, database_url: str, queries: list[str], repeat: int) -> dict:
    """Wall-clock milliseconds of searching everything, p50 and p95 over every query's repeats."""
    client = create(folder, database_url).test_client()
    times = []
    for text in queries:
        path = "/search?q=" + urllib.parse.quote_plus(text)
        assert client.get(path).status_code == 200, path
        for _ in range(repeat):
            start = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {"queries": queries, "samples": len(times), "p50_ms": round(times[len(times) // 2], 2),
            "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))], 2)}


def measure(folder: Path) -> list[tuple[str, float]]:
    app = create(folder)
    from bench.hello import app as hello  # here: after create() put the repository on the path

    rows = []
    for label, path in QUERIES:
        client = (hello if path is None else app).test_client()
        rows.append((label, cpu_ms(client, path or "/")))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, help="instance folder (default: a demo built in a temporary one)")
    parser.add_argument("--database-url", default="", help="the database (default: DATABASE_URL, else the folder's SQLite)")
    parser.add_argument("--query", action="append", help="time searching everything for this text (repeatable)")
    parser.add_argument("--repeat", type=int, default=20, help="requests per query, with --query")
    parser.add_argument("--json", action="store_true", help="with --query, print the figures as JSON")
    args = parser.parse_args()
    if args.query:
        if args.folder is None:
            parser.error("--query needs the instance folder of a built database")
        figures = latency(args.folder, args.database_url, args.query, args.repeat)
        print(json.dumps(figures) if args.json else
              f"search everything, {len(args.query)} queries × {args.repeat}: p50 {figures['p50_ms']:.1f} ms, "
              f"p95 {figures['p95_ms']:.1f} ms")
        return
    given = args.folder
    folder = given or Path(tempfile.mkdtemp(prefix="tribune-bench-search-"))
    try:
        if given is None:
            env = {**os.environ, "INSTANCE_PATH": str(folder), "FLASK_APP": "wsgi", "SECRET_KEY": "bench"}
            subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
            subprocess.run([str(BIN / "flask"), "portal", "demo"], cwd=ROOT, env=env, check=True, capture_output=True)
        rows = measure(folder)
    finally:
        if given is None:
            shutil.rmtree(folder, ignore_errors=True)
    baseline = rows[0][1]
    print("| request, in-process | CPU ms (median) | × hello world |\n|---|---:|---:|")
    for label, ms in rows:
        print(f"| {label} | {ms:.2f} | {ms / baseline:,.0f} |")


if __name__ == "__main__":
    main()
