"""The load: which pages, signed in as whom, and wrk driving them (reads and the write script).

Each page is a row: a path from the manifest and who asks for it (anonymous, the typical member, staff).
`measure` interleaves the servers per page and round (hello world, Tribune on each database, and again),
so that a noisy moment of the shared machine falls on all of them alike.
"""
from __future__ import annotations

import re
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

WRITES_LUA = Path(__file__).resolve().parent / "writes.lua"
BOTH = ("anonymous", "member")


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    path: Callable[[dict], str]
    who: tuple[str, ...]


PAGES = [
    Page("community", "community page, latest posts", lambda m: "/community", BOTH),
    Page("feed", "a member's home feed", lambda m: "/feed", ("member",)),
    Page("board-top", "board, sorted by top", lambda m: f"/boards/{m['board']}?sort=top", BOTH),
    Page("board-trending", "board, sorted by trending", lambda m: f"/boards/{m['board']}?sort=trending", BOTH),
    Page("idea", "idea with 100 comments", lambda m: f"/ideas/{m['idea_with_comments']}", BOTH),
    Page("profile", "a member's profile", lambda m: m["profile"], BOTH),
    Page("search", "search everything, two words", lambda m: "/search?q=" + urllib.parse.quote_plus(m["searches"][0]),
         BOTH),
    Page("leaderboard", "leaderboard", lambda m: "/leaderboard", BOTH),
    Page("engagement", "my engagement", lambda m: "/me/engagement", ("member",)),
    Page("priorities", "staff priorities, by demand", lambda m: "/staff/priorities?sort=demand", ("staff",)),
    Page("fans", "staff fans view", lambda m: "/staff/fans", ("staff",)),
]
WRITES = "writes"


def rows() -> list[tuple[str, Page, str]]:
    """(row name, page, who) for every page and viewer, in the report's order."""
    return [(f"{page.key}, {who}", page, who) for page in PAGES for who in page.who]


def row_names() -> list[str]:
    return [name for name, _page, _who in rows()] + [WRITES]


def password(manifest: dict, email: str) -> str:
    return manifest.get("passwords", {}).get(email, manifest["password"])


def check_pages(base: str, manifest: dict, cookies: dict[str, str]) -> list[str]:
    """Every row's page answers 200 as its viewer (not a redirect to the login page, not an error): problems.
    Also the servers' warm-up; four at a time, as the server has the cores for it."""
    opener = urllib.request.build_opener(NoRedirect)

    def problem(row: tuple[str, Page, str]) -> str:
        name, page, who = row
        request = urllib.request.Request(base + page.path(manifest), headers={"Cookie": cookies.get(who, "")})
        try:
            status = opener.open(request, timeout=120).status
        except urllib.error.HTTPError as error:
            status = error.code
        return "" if status == 200 else f"{name}: {page.path(manifest)} answers {status}"

    with ThreadPoolExecutor(4) as pool:
        return [found for found in pool.map(problem, rows()) if found]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects come back as they are (an HTTPError with their status), not followed."""

    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003 - urllib's signature
        return None


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", value).groups()
    return round(float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000}[unit], 3)


def parse(out: str) -> dict:
    """requests/s, p50 and p99 in ms, requests, and every kind of error wrk counts."""
    def number(pattern: str) -> int:
        found = re.search(pattern, out)
        return int(found.group(1)) if found else 0

    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    connect, read, write, timeout = (int(x) for x in sockets.groups()) if sockets else (0, 0, 0, 0)
    errors = {"status": number(r"Non-2xx or 3xx responses: (\d+)"), "connect": connect, "read": read, "write": write,
              "timeout": timeout, "bad_writes": number(r"bad writes: (\d+)")}
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50_ms": _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),
            "p99_ms": _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),
            "requests": number(r"(\d+) requests in"), "errors": errors, "error_count": sum(errors.values())}


@dataclass(frozen=True)
class Wrk:
    seconds: int
    connections: int
    timeout: int
    threads: int = 2

    def run(self, url: str, cookie: str = "", script: list[str] | None = None) -> dict:
        command = ["wrk", f"-t{self.threads}", f"-c{self.connections}", f"-d{self.seconds}s",
                   f"--timeout={self.timeout}s", "--latency"]
        if cookie:
            command += ["-H", f"Cookie: {cookie}"]
        if script:
            command += ["-s", str(WRITES_LUA)]
        command.append(url)
        if script:
            command += ["--", *script]
        done = subprocess.run(command, capture_output=True, text=True, timeout=self.seconds + self.timeout + 60)
        if done.returncode != 0:
            raise RuntimeError(f"wrk failed on {url}: {done.stderr or done.stdout}")
        settle(url)
        return parse(done.stdout)


def settle(url: str, quick: float = 0.5, patience: float = 120.0) -> None:
    """Wait until the server has done what wrk left queued: wrk stops sending when its time is up, but the server
    still answers the connections' last requests. After the search rows that was seconds of work, and the next
    page was measured behind it (0 requests/s). Waits until one request to the server's home page is answered
    within `quick` seconds (behind a backlog it waits its turn), for at most `patience` seconds."""
    home = urllib.parse.urlsplit(url)._replace(path="/", query="").geturl()
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            urllib.request.urlopen(home, timeout=patience).read()
        except OSError:
            return  # a server that does not answer is the next run's error, not a wait
        if time.monotonic() - started < quick:
            return


def sign_in_writers(base: str, manifest: dict, count: int, sign_in: Callable[[str, str], tuple[str, str]]) -> list:
    """(email, cookie, csrf token) of the manifest's first `count` write-load members, signed in 4 at a time."""
    emails = manifest["members"][:count]
    with ThreadPoolExecutor(4) as pool:
        sessions = list(pool.map(lambda email: sign_in(base, email, password(manifest, email)), emails))
    return [(email, cookie, token) for email, (cookie, token) in zip(emails, sessions, strict=True)]


def write_requests(path: Path, manifest: dict, writers: list) -> int:
    """The write script's file: each member votes for an idea, likes a post, takes the vote back, unlikes;
    step after step for all members, so that a member's vote and unvote are a whole round apart. Its stride."""
    ideas, posts = manifest["vote_ideas"], manifest["like_posts"]
    lines = []
    for step in range(4):
        for i, (_email, cookie, token) in enumerate(writers):
            target = (f"/ideas/{ideas[i % len(ideas)]}/{'vote' if step == 0 else 'unvote'}" if step in (0, 2)
                      else f"/posts/{posts[i % len(posts)]}/like")
            lines.append(f"{target}\t{cookie}\t{token}")
    path.write_text("\n".join(lines) + "\n")
    return max(1, len(writers) // 2)
