"""Tribune's benchmark at scale: pages and writes under wrk on SQLite and PostgreSQL, against a bare Flask baseline.

    .venv/bin/python bench/run.py [--scale 1] [--seconds 10] [--rounds 3] [--connections 32]
                                  [--databases sqlite,postgresql] [--out bench/results/NAME.json]

Run from the repository root; needs `wrk` (Debian's package). For each database it builds the data with
`flask portal bench-data` (SQLite in a temporary folder; PostgreSQL in a database of its own,
tribune_bench_<random>, on TEST_DATABASE_URL's server, dropped at the end, with cache, rate-limit counters
and jobs in an empty Redis database, flushed before and after), serves Tribune with gunicorn as
`./tribune run` does, with its job consumer, and a bare Flask hello world with the same gunicorn settings.
Rate limits are off (RATELIMIT_ENABLED=false): wrk is one address asking thousands of times a second.

Each page is loaded with wrk, interleaved: hello world, Tribune on SQLite, on PostgreSQL, then the next
page, and the whole again for every round; the report gives the medians and each page's share of the hello
world of the same round. Then writes (votes and likes by many members, bench/writes.lua), `flask portal
bench-check` on each database, SQL statements per page (bench/queries.py), memory per worker, search
latency (bench/search.py), the full score recompute and the build time. Any error fails the run (exit
code 1) once the report is printed; bad input (an unknown scale, a server that does not answer, wrk
missing) is exit code 2, with nothing left running.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import load, report, stack  # noqa: E402

KINDS = ("sqlite", "postgresql")
STARTED = time.monotonic()
SEARCH_SAMPLES = 100  # timed searches per database, spread over the manifest's queries


def say(message: str) -> None:
    """Progress, on stderr (the report is stdout)."""
    print(f"[{time.monotonic() - STARTED:6.1f} s] {message}", file=sys.stderr, flush=True)


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="1", help="the data's scale, as `flask portal bench-data --scale` takes it")
    parser.add_argument("--seconds", type=int, default=10, help="seconds of wrk per page, server and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--timeout", type=int, default=10, help="seconds before wrk counts a request as timed out")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--writers", type=int, default=200, help="members of the write load (the manifest's first)")
    parser.add_argument("--gunicorn", default=stack.GUNICORN, help=f"gunicorn's settings for every server ({stack.GUNICORN})")
    parser.add_argument("--out", type=Path, help="the JSON file (default bench/results/<date>-scale-<S>.json)")
    args = parser.parse_args(argv)
    args.databases = [name.strip() for name in args.databases.split(",") if name.strip()]
    unknown = [name for name in args.databases if name not in KINDS]
    if unknown or not args.databases:
        raise stack.BadInput(f"--databases takes sqlite and/or postgresql, not {args.databases!r}")
    if min(args.seconds, args.rounds, args.connections, args.writers, args.timeout) < 1:
        raise stack.BadInput("--seconds, --rounds, --connections, --writers and --timeout must be at least 1")
    args.out = args.out or stack.ROOT / "bench" / "results" / f"{time.strftime('%Y-%m-%d-%H%M')}-scale-{args.scale}.json"
    return args


def preflight(args: argparse.Namespace) -> dict:
    """What the run needs before it starts anything; BadInput otherwise. The machine's versions."""
    if not shutil.which("wrk"):
        raise stack.BadInput("wrk is missing: install Debian's package (apt-get install wrk).")
    versions = {}
    if "postgresql" in args.databases:
        versions["postgresql"] = stack.pg_version()
    return versions


def start(args: argparse.Namespace, run: stack.Stack) -> None:
    """The data on every database, then the servers, the consumers and the signed-in viewers."""
    for kind in args.databases:
        say(f"Building the data on {kind} (scale {args.scale})...")
        stack.build(run.add(kind), args.scale)
    run.hello = stack.serve("bench.hello:app", run.databases[0].env, args.gunicorn, run.folder)
    for database in run.databases:
        database.server = stack.serve("wsgi:app", database.env, args.gunicorn, run.folder)
        stack.start_consumer(database)
        say(f"Tribune on {database.kind} is up; signing in")
        manifest, base = database.manifest, database.server.base
        database.cookies = {"anonymous": "",
                            "member": stack.sign_in(base, manifest["member"], load.password(manifest, manifest["member"]))[0],
                            "staff": stack.sign_in(base, manifest["staff"], load.password(manifest, manifest["staff"]))[0]}
        problems = load.check_pages(base, manifest, database.cookies)
        if problems:
            raise RuntimeError(f"Pages that do not answer 200 on {database.kind}:\n  " + "\n  ".join(problems))
        writers = load.sign_in_writers(base, manifest, args.writers, stack.sign_in)
        database.writes = run.folder / f"writes-{database.kind}.tsv"
        database.stride = load.write_requests(database.writes, manifest, writers)
        database.writers = len(writers)


def summary(samples: list[dict], hello: list[dict] | None = None) -> dict:
    """Medians over the rounds, the share of the same round's hello world, errors summed."""
    result = {key: statistics.median(s[key] for s in samples) for key in ("rps", "p50_ms", "p99_ms")}
    if hello:
        result["ratio"] = round(statistics.median(s["rps"] / h["rps"] for s, h in zip(samples, hello, strict=True)), 4)
    result["errors"] = {key: sum(s["errors"][key] for s in samples) for key in samples[0]["errors"]}
    result["error_count"] = sum(result["errors"].values())
    result["rounds"] = samples
    return result


def measure(args: argparse.Namespace, run: stack.Stack) -> dict:
    """wrk on every row, interleaved: hello world, then each database, per row and round."""
    wrk = load.Wrk(args.seconds, args.connections, args.timeout)
    samples: dict[str, dict[str, list]] = {name: {"hello": [], **{d.kind: [] for d in run.databases}}
                                           for name in load.row_names()}
    for number in range(1, args.rounds + 1):
        for name, page, who in load.rows():
            say(f"Round {number}/{args.rounds}: {name}")
            samples[name]["hello"].append(wrk.run(run.hello.base + "/"))
            for database in run.databases:
                url = database.server.base + page.path(database.manifest)
                samples[name][database.kind].append(wrk.run(url, database.cookies[who]))
        say(f"Round {number}/{args.rounds}: writes")
        samples[load.WRITES]["hello"].append(wrk.run(run.hello.base + "/"))
        for database in run.databases:
            samples[load.WRITES][database.kind].append(
                wrk.run(database.server.base + "/", script=[str(database.writes), str(database.stride)]))
    pages = {}
    for name, by_server in samples.items():
        pages[name] = {"hello": summary(by_server["hello"])}
        for database in run.databases:
            pages[name][database.kind] = summary(by_server[database.kind], by_server["hello"])
    return pages


def in_process(run: stack.Stack, pages: dict) -> dict:
    """After the load: bench-check, queries per page, memory, search, recompute, on each database."""
    figures: dict = {"memory_mib": {"hello": run.hello.worker_rss_mib()},
                     "heap_mib": {"hello": run.hello.worker_rss_mib("RssAnon")}, "check": {}, "search": {},
                     "recompute_seconds": {}, "build_seconds": {}, "counts": {}, "paths": {}}
    for database in run.databases:
        kind, manifest = database.kind, database.manifest
        figures["memory_mib"][kind] = database.server.worker_rss_mib()
        figures["heap_mib"][kind] = database.server.worker_rss_mib("RssAnon")
        figures.setdefault("server_errors", {})[kind] = database.server.errors()
        say(f"Checking the counters and counting queries on {kind}...")
        with ThreadPoolExecutor(2) as pool:  # neither is timed: side by side
            counting = pool.submit(_python, database, "queries.py", str(database.folder / "bench-manifest.json"))
            checked = database.flask("portal", "bench-check")
            counted = counting.result()
        figures["check"][kind] = {"ok": checked.returncode == 0, "output": (checked.stdout + checked.stderr).strip()}
        say(f"Timing search and the recompute on {kind}...")
        for name, count in counted.items():
            pages[name][kind]["queries"] = count
        figures["search"][kind] = _python(database, "search.py", str(database.folder), "--database-url", database.url,
                                          "--json", "--repeat", str(max(3, SEARCH_SAMPLES // len(manifest["searches"]))),
                                          *(q for search in manifest["searches"] for q in ("--query", search)))
        figures["recompute_seconds"][kind] = recompute(database)
        figures["build_seconds"][kind] = {"runner": database.build_seconds, **manifest.get("build_seconds", {})}
        figures["counts"][kind] = manifest.get("counts", {})
        figures["paths"][kind] = {name: page.path(manifest) for name, page, _who in load.rows()}
        figures.setdefault("writers", {})[kind] = database.writers
    return figures


def recompute(database: stack.Database) -> float:
    """Seconds of `flask portal recompute-scores`, as the command measures itself (the app's start left out)."""
    done = database.flask("portal", "recompute-scores")
    said = re.search(r"in ([\d.]+) s\.", done.stdout)
    if done.returncode != 0 or not said:
        raise RuntimeError(f"recompute-scores failed on {database.kind}: {(done.stdout + done.stderr)[-2000:]}")
    return float(said.group(1))


def _python(database: stack.Database, script: str, *args: str) -> dict:
    done = subprocess.run([sys.executable, str(stack.ROOT / "bench" / script), *args], cwd=stack.ROOT,
                          env=database.env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"bench/{script} failed on {database.kind}:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


def main(argv: list[str] | None = None) -> int:
    # Stopped from outside (a test's timeout, kill): still stop the servers and drop the database.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        args = arguments(argv)
        versions = preflight(args)
    except stack.BadInput as error:
        print(error, file=sys.stderr)
        return 2
    run = stack.Stack()
    try:
        try:
            start(args, run)
        except stack.BadInput as error:
            print(error, file=sys.stderr)
            return 2
        pages = measure(args, run)
        figures = in_process(run, pages)
    except RuntimeError as error:  # a server that does not start, a page that fails, a tool that fails
        print(f"The run FAILED: {error}", file=sys.stderr)
        return 1
    finally:
        run.close()
    result = report.assemble(args, versions, pages, figures)
    print(report.markdown(result))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"\nAll figures: {args.out}")
    if not result["ok"]:
        print("The run FAILED: " + "; ".join(result["failures"]), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
