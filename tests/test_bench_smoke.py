"""The benchmark runner works: a tiny run on this leg's database loads every page and finds no error.

Speed is never asserted here (the machines are shared); this checks that `bench/run.py` builds the data,
serves it, drives every page and the writes with wrk, and that the counters stay exact under the load.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LEG = os.environ.get("TEST_DATABASE", "sqlite")
# Every page the benchmark issue asks for, as each of its viewers, and the writes.
ROWS = ["community, anonymous", "community, member", "feed, member", "board-top, anonymous", "board-top, member",
        "board-trending, anonymous", "board-trending, member", "idea, anonymous", "idea, member",
        "profile, anonymous", "profile, member", "search, anonymous", "search, member", "leaderboard, anonymous",
        "leaderboard, member", "engagement, member", "priorities, staff", "fans, staff", "writes"]


@pytest.fixture
def wrk() -> None:
    if shutil.which("wrk") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("wrk is missing: CI installs it (.ci/run)")
        pytest.skip("wrk is missing (apt-get install wrk)")


def test_a_tiny_run_loads_every_page_without_an_error(wrk, tmp_path):
    out = tmp_path / "run.json"
    run = subprocess.Popen([sys.executable, "bench/run.py", "--scale", "0.01", "--seconds", "1", "--rounds", "1",
                            "--writers", "20", "--databases", LEG, "--out", str(out)],
                           cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        stdout, stderr = run.communicate(timeout=170)
    except subprocess.TimeoutExpired:
        run.terminate()  # the runner stops its servers and drops its database on SIGTERM
        stdout, stderr = run.communicate(timeout=60)
        pytest.fail("the runner took more than 170 s:\n" + stderr[-3000:])
    assert run.returncode == 0, stdout[-3000:] + stderr[-3000:]
    result = json.loads(out.read_text())
    assert list(result["pages"]) == ROWS
    for name, by_server in result["pages"].items():
        assert by_server[LEG]["rps"] > 0 and by_server[LEG]["rounds"][0]["requests"] > 0, name
        assert by_server[LEG]["error_count"] == 0 and by_server["hello"]["error_count"] == 0, name
    assert result["check"][LEG]["ok"], result["check"][LEG]["output"]
    for total, heap in zip(result["memory_mib"][LEG], result["heap_mib"][LEG], strict=True):
        assert 0 < heap < total, "each worker's heap is a part of its resident memory"
    assert "RATELIMIT_ENABLED=false" in stdout


def test_an_unknown_scale_is_refused_before_anything_starts(wrk, tmp_path):
    done = subprocess.run([sys.executable, "bench/run.py", "--scale", "3", "--databases", LEG, "--out",
                           str(tmp_path / "run.json")], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "bench-data --scale 3 refused" in done.stderr
    assert not (tmp_path / "run.json").exists()


def _refused(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "bench/run.py", "--out", str(tmp_path / "run.json"), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, env={**os.environ, **env})


def test_an_unreachable_database_server_is_refused(tmp_path):
    done = _refused(tmp_path, "--databases", "postgresql", TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:9/x")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "PostgreSQL is not reachable at postgresql+psycopg://postgres@127.0.0.1:9/x" in done.stderr


def test_without_wrk_nothing_starts(tmp_path):
    done = _refused(tmp_path, "--databases", LEG, PATH=str(tmp_path))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "wrk is missing" in done.stderr
    assert not (tmp_path / "run.json").exists()
