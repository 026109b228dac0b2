"""The benchmark's results: everything in one JSON document, and the Markdown report for BENCHMARKS.md."""
from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def machine(versions: dict) -> dict:
    """Cores, memory, Python, SQLite and PostgreSQL versions, and the code's commit."""
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    total = next((int(line.split()[1]) for line in meminfo.splitlines() if line.startswith("MemTotal:")), 0)

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    return {"cores": os.cpu_count(), "memory_gib": round(total / 1024 / 1024, 1), "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version, "postgresql": versions.get("postgresql", ""),
            "commit": git("rev-parse", "HEAD"), "uncommitted_changes": bool(git("status", "--porcelain")),
            "platform": platform.platform()}


def assemble(args: argparse.Namespace, versions: dict, pages: dict, figures: dict) -> dict:
    """The whole run as one document; `ok` and `failures` say whether it passed."""
    failures = []
    for name, by_server in pages.items():
        for server, result in by_server.items():
            if result["error_count"]:
                failures.append(f"{name} on {server}: {result['error_count']} errors {_errors(result['errors'])}")
    for kind, check in figures["check"].items():
        if not check["ok"]:
            failures.append(f"bench-check found differences on {kind}")
    return {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine(versions),
        "settings": {"scale": args.scale, "seconds": args.seconds, "rounds": args.rounds, "connections": args.connections,
                     "wrk_threads": 2, "timeout": args.timeout, "databases": args.databases, "gunicorn": args.gunicorn,
                     "rate_limits": "off (RATELIMIT_ENABLED=false)", "jobs": "huey consumer, as ./tribune run",
                     "postgresql_cache": "Redis (cache, rate-limit storage, jobs)"},
        "pages": pages, **figures, "ok": not failures, "failures": failures,
    }


def _errors(errors: dict) -> str:
    return ", ".join(f"{key} {value}" for key, value in errors.items() if value) or "none"


def _rps(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def _share(ratio: float) -> str:
    return f"{ratio * 100:.1f}%" if ratio < 0.1 else f"{ratio * 100:.0f}%"


def markdown(result: dict) -> str:
    kinds = result["settings"]["databases"]
    settings, lines = result["settings"], []
    m = result["machine"]
    lines.append(f"Scale {settings['scale']}; wrk {settings['wrk_threads']} threads, {settings['connections']} connections, "
                 f"{settings['seconds']} s per page and server, {settings['rounds']} rounds, medians; gunicorn "
                 f"`{settings['gunicorn']}` for every server; rate limits off (RATELIMIT_ENABLED=false); jobs in a "
                 f"huey consumer; PostgreSQL with Redis for the cache, rate-limit counters and jobs. Machine: "
                 f"{m['cores']} cores, {m['memory_gib']} GiB, Python {m['python']}, SQLite {m['sqlite']}"
                 + (f", PostgreSQL {m['postgresql']}" if m["postgresql"] else "") + f"; commit {m['commit'][:10]}"
                 + (" with uncommitted changes" if m["uncommitted_changes"] else "") + ".")
    lines.append("")
    head = "| page | hello world rps |"
    rule = "|---|---:|"
    for kind in kinds:
        head += f" {NAMES[kind]} rps | share of hello | p50 / p99 ms | queries |"
        rule += "---:|---:|---|---:|"
    lines += [head + " errors |", rule + "---:|"]
    for name, by_server in result["pages"].items():
        row = f"| {name} | {_rps(by_server['hello']['rps'])} |"
        for kind in kinds:
            r = by_server[kind]
            queries = r.get("queries", "")
            row += f" {_rps(r['rps'])} | {_share(r['ratio'])} | {r['p50_ms']:.1f} / {r['p99_ms']:.1f} | {queries} |"
        errors = sum(by_server[k]["error_count"] for k in ("hello", *kinds))
        lines.append(row + f" {errors} |")
    writers = result.get("writers", {})
    lines.append("")
    lines.append(f"Writes: {', '.join(f'{n} members on {NAMES[k]}' for k, n in writers.items())}, each voting for an "
                 "idea of a budgetless board, liking a post, taking the vote back and unliking (a 302 each); "
                 "queries per request are counted in-process after one warm-up request (a cached anonymous page "
                 "shows the cache's cost).")
    lines += ["", "| | " + " | ".join(NAMES[k] for k in kinds) + " |", "|---|" + "---:|" * len(kinds)]
    memory = result["memory_mib"]
    lines.append("| memory per worker after the run, MiB (hello world: "
                 + " / ".join(f"{v:.0f}" for v in memory["hello"]) + ") | "
                 + " | ".join(" / ".join(f"{v:.0f}" for v in memory[k]) for k in kinds) + " |")
    if "heap_mib" in result:  # runs before the split have the total only
        heap = result["heap_mib"]
        lines.append("| of which the heap (RssAnon; the rest is files mapped in, such as the search index, and shared memory), MiB "
                     "(hello world: " + " / ".join(f"{v:.0f}" for v in heap["hello"]) + ") | "
                     + " | ".join(" / ".join(f"{v:.0f}" for v in heap[k]) for k in kinds) + " |")
    search = result["search"]
    lines.append(f"| search in-process, p50 / p95 ms ({len(search[kinds[0]]['queries'])} searches) | "
                 + " | ".join(f"{search[k]['p50_ms']:.1f} / {search[k]['p95_ms']:.1f}" for k in kinds) + " |")
    lines.append("| full score recompute (`flask portal recompute-scores`), s | "
                 + " | ".join(f"{result['recompute_seconds'][k]:.1f}" for k in kinds) + " |")
    lines.append("| building the data (`flask portal bench-data`), s | "
                 + " | ".join(f"{result['build_seconds'][k]['runner']:.0f}" for k in kinds) + " |")
    lines.append("| counters after the writes (`flask portal bench-check`) | "
                 + " | ".join("exact" if result["check"][k]["ok"] else "DIFFERENCES" for k in kinds) + " |")
    for kind in kinds:
        if not result["check"][kind]["ok"]:
            lines += ["", f"bench-check on {NAMES[kind]}:", "```", result["check"][kind]["output"][-3000:], "```"]
    if result["failures"]:
        lines += ["", "**Failed:** " + "; ".join(result["failures"])]
        for kind, logged in result.get("server_errors", {}).items():
            if logged:
                lines += ["", f"Errors logged by Tribune on {NAMES[kind]} (last {len(logged)}):", "```", *logged, "```"]
    return "\n".join(lines)


def flatten(result: dict) -> dict[str, float]:
    """Every figure of a run by a readable name, for bench/compare.py."""
    figures: dict[str, float] = {}
    for name, by_server in result["pages"].items():
        for server, r in by_server.items():
            for key in ("rps", "ratio", "p50_ms", "p99_ms", "queries"):
                if isinstance(r.get(key), (int, float)):
                    figures[f"{name} | {server} | {key}"] = r[key]
    for server, sizes in result.get("memory_mib", {}).items():
        if sizes:
            figures[f"memory per worker | {server} | MiB"] = sum(sizes) / len(sizes)
    for server, sizes in result.get("heap_mib", {}).items():
        if sizes:
            figures[f"heap per worker | {server} | MiB"] = sum(sizes) / len(sizes)
    for kind, search in result.get("search", {}).items():
        figures[f"search | {kind} | p50_ms"] = search["p50_ms"]
        figures[f"search | {kind} | p95_ms"] = search["p95_ms"]
    for kind, seconds in result.get("recompute_seconds", {}).items():
        figures[f"recompute | {kind} | s"] = seconds
    for kind, build in result.get("build_seconds", {}).items():
        figures[f"build | {kind} | s"] = build["runner"]
    return figures

