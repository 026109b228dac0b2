"""Search, timed in-process: the CPU time of one search request, typical and worst case, against a bare
Flask hello world timed the same way.

Run from the repository root after `bench/run.py` has built a demo, or on its own:
`.venv/bin/python bench/search.py [instance folder]` (without a folder it builds a demo in a temporary
one). Each request goes through the Flask test client, so there is no network or server in the way:
what is measured is routing, the session, the index, the queries and the template. Rate limits and
the page cache are off, as in bench/run.py.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
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


def measure(folder: Path) -> list[tuple[str, float]]:
    os.environ.update({"INSTANCE_PATH": str(folder), "SECRET_KEY": "bench", "RATELIMIT_ENABLED": "false"})
    sys.path.insert(0, str(ROOT))
    # Here, not at the top: the environment above must be set before the app reads it.
    from bench.hello import app as hello
    from portal import create_app

    app = create_app()
    rows = []
    for label, path in QUERIES:
        client = (hello if path is None else app).test_client()
        rows.append((label, cpu_ms(client, path or "/")))
    return rows


def main() -> None:
    given = Path(sys.argv[1]) if len(sys.argv) > 1 else None
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
