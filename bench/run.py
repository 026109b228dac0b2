"""Tribune's benchmark: requests per second and memory, against a bare Flask baseline.

Run from the repository root: `.venv/bin/python bench/run.py` (needs `wrk`, from
Debian's package of that name). It builds a demo community in a temporary folder,
serves it with gunicorn (2 sync workers, as DESIGN.md measures), loads each page
with wrk from a second process, and prints a Markdown table for BENCHMARKS.md; then times search
in-process on the same demo (bench/search.py).
"""
from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DURATION = os.environ.get("BENCH_SECONDS", "10")
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "16")
WORST_SEARCH = "/search?q=" + "+".join(["zyqxv", "plorbitaxeromantic", "grumbleflax", "wibbleton", "quorvendal",
                                        "snarfulgate", "thrimbleworth", "xanthopterinix", "borkulent", "mizzlethorpe",
                                        "crandulix", "vorpaliscious", "frobnicator", "zibberwock"])


def serve(module: str, port: int, env: dict[str, str]) -> subprocess.Popen:
    process = subprocess.Popen([str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}", module],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{module} did not start")


def wrk(url: str, cookie: str | None = None) -> tuple[float, str]:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} error responses\n{out}")
    return rps, f"{p50} / {p99}"


def sign_in(base: str, email: str, password: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password}).encode()
    opener.open(f"{base}/login", data=data)
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def rss_mib(process: subprocess.Popen) -> float:
    """Resident memory of the gunicorn master and its workers, in MiB."""
    pids = [str(process.pid), *subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()]
    out = subprocess.run(["ps", "-o", "rss=", "-p", ",".join(pids)], capture_output=True, text=True).stdout
    return sum(int(x) for x in out.split()) / 1024


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    folder = Path(tempfile.mkdtemp(prefix="tribune-bench-"))
    env = {**os.environ, "INSTANCE_PATH": str(folder), "FLASK_APP": "wsgi", "SECRET_KEY": "bench", "RATELIMIT_ENABLED": "false"}
    subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([str(BIN / "flask"), "portal", "demo"], cwd=ROOT, env=env, check=True, capture_output=True)
    rows = []
    hello = serve("bench.hello:app", 5056, env)
    try:
        rows.append(("bare Flask hello world (baseline)", *wrk("http://127.0.0.1:5056/")))
    finally:
        hello.terminate()
    tribune = serve("wsgi:app", 5055, env)
    base = "http://127.0.0.1:5055"
    try:
        for label, path in [("home, anonymous", "/"), ("sign-in page, anonymous", "/login"),
                            ("member profile with posts, anonymous", "/members/20"), ("theme.css", "/theme.css"),
                            ("community, latest 20 posts, anonymous", "/community"),
                            ("community, trending, anonymous", "/community?tab=trending"),
                            ("post with comments, anonymous", "/posts/30"), ("hashtag page, anonymous", "/tags/trail"),
                            ("boards, anonymous", "/boards"),
                            ("board, trending, 20 ideas, anonymous", "/boards/product-ideas"),
                            ("board, top, 20 ideas, anonymous", "/boards/product-ideas?sort=top"),
                            ("idea with timeline and comments, anonymous", "/ideas/1"),
                            ("roadmap, anonymous", "/roadmap"),
                            ("search for two words, anonymous", "/ideas/search?q=waterproof+boots"),
                            ("search everything, two words, anonymous", "/search?q=waterproof+boots"),
                            ("search everything, worst case (200 chars of rare words), anonymous", WORST_SEARCH)]:
            rows.append((label, *wrk(base + path)))
        cookie = sign_in(base, "alex.martin@example.com", "fernhill-member-demo")
        rows.append(("settings, signed in", *wrk(base + "/account/settings", cookie)))
        rows.append(("home feed, 20 posts, signed in", *wrk(base + "/feed", cookie)))
        rows.append(("community, latest 20 posts, signed in", *wrk(base + "/community", cookie)))
        rows.append(("post with comments, signed in", *wrk(base + "/posts/30", cookie)))
        rows.append(("board, trending, 20 ideas, signed in", *wrk(base + "/boards/product-ideas", cookie)))
        rows.append(("idea with timeline and comments, signed in", *wrk(base + "/ideas/1", cookie)))
        rows.append(("search for two words, signed in", *wrk(base + "/ideas/search?q=waterproof+boots", cookie)))
        rows.append(("search everything, two words, signed in", *wrk(base + "/search?q=waterproof+boots", cookie)))
        staff = sign_in(base, "camille.staff@fernhill.example", "fernhill-staff-demo")
        rows.append(("staff prioritisation, 20 of all ideas, signed in", *wrk(base + "/staff/priorities?status=all", staff)))
        admin = sign_in(base, "admin@fernhill.example", "fernhill-admin-demo")
        rows.append(("admin members list (50 rows), signed in", *wrk(base + "/admin/members", admin)))
        memory = rss_mib(tribune)
    finally:
        tribune.terminate()
    try:  # search in-process, on the same demo: CPU per request against hello world
        in_process = subprocess.run([sys.executable, str(ROOT / "bench" / "search.py"), str(folder)], cwd=ROOT, env=env,
                                    check=True, capture_output=True, text=True).stdout
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print("| page | requests/s | latency p50 / p99 |\n|---|---:|---|")
    for label, rps, latency in rows:
        print(f"| {label} | {rps:,.0f} | {latency} |")
    print(f"\nMemory after the run: {memory:.0f} MiB resident for the gunicorn master and 2 workers.")
    print("\n" + in_process)


if __name__ == "__main__":
    main()
