"""Compare two runs of bench/run.py: every figure's old value, new value and change.

    .venv/bin/python bench/compare.py OLD.json NEW.json

Figures are named "row | server | figure" (rps, ratio to hello world, p50_ms, p99_ms, queries), then
memory, search, recompute and build. A figure that only one run has is shown with a dash for the other.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import flatten  # noqa: E402


def change(old: float | None, new: float | None) -> str:
    if old is None or new is None:
        return ""
    if old == 0:
        return "0%" if new == 0 else "new"
    return f"{(new - old) / old * 100:+.1f}%"


def number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: bench/compare.py OLD.json NEW.json", file=sys.stderr)
        return 2
    try:
        old, new = (flatten(json.loads(Path(name).read_text())) for name in argv)
    except (OSError, ValueError, KeyError) as error:
        print(f"cannot read the runs: {error}", file=sys.stderr)
        return 2
    print("| figure | old | new | change |\n|---|---:|---:|---:|")
    for name in [*old, *(n for n in new if n not in old)]:
        print(f"| {name} | {number(old.get(name))} | {number(new.get(name))} | {change(old.get(name), new.get(name))} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
