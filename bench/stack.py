"""What the benchmark runs against: the data, the databases, Redis, gunicorn and the job consumer.

Everything here is started by bench/run.py and stopped by it (`Stack.close`), whatever happens.
"""
from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from .load import NoRedirect

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_ADMIN = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_SERVER = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379")
# Redis databases the runner may take: the test suite's redis_url fixture uses 8 to 15.
REDIS_DATABASES = range(1, 8)
REDIS_CLAIM = "tribune-bench:claimed"
# As `./tribune run` serves Tribune (read the `tribune` script): 2 workers of 4 threads, access log on.
GUNICORN = "--workers 2 --threads 4 --access-logfile -"
CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"|<input[^>]*value="([^"]+)"[^>]*name="csrf_token"')
# Settings of the environment that must not leak into the benchmark's servers.
CLEARED = ("DATABASE_URL", "REDIS_URL", "RATELIMIT_STORAGE_URI", "INSTANCE_PATH", "BASE_URL", "DEMO_MODE", "PORT")


class BadInput(Exception):
    """The run cannot start (exit code 2): wrong arguments, a server that does not answer, a tool missing."""


@dataclass
class Database:
    """One database under test: its data, its environment, and (once started) its server."""

    kind: str  # "sqlite" or "postgresql"
    folder: Path
    url: str = ""
    redis_url: str = ""
    manifest: dict = field(default_factory=dict)
    build_seconds: float = 0.0
    server: "Server | None" = None
    consumer: subprocess.Popen | None = None
    cookies: dict[str, str] = field(default_factory=dict)  # Cookie header by viewer: anonymous, member, staff
    writes: Path | None = None  # the write script's requests
    stride: int = 1
    writers: int = 0

    @property
    def env(self) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items() if k not in CLEARED}
        return {**base, "FLASK_APP": "wsgi", "INSTANCE_PATH": str(self.folder), "SECRET_KEY": "bench-" + self.folder.name,
                "RATELIMIT_ENABLED": "false", "JOBS_IMMEDIATE": "false", "DATABASE_URL": self.url,
                "REDIS_URL": self.redis_url}

    def flask(self, *args: str, timeout: float | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([str(BIN / "flask"), *args], cwd=ROOT, env=self.env, capture_output=True, text=True,
                              timeout=timeout)


@dataclass
class Server:
    """A gunicorn master serving one app on a free port."""

    process: subprocess.Popen
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def errors(self) -> list[str]:
        """The last errors the server logged (tracebacks' last lines included)."""
        lines = self.log.read_text(errors="replace").splitlines() if self.log.exists() else []
        return [line for line in lines if "ERROR" in line or "Error" in line or "Exception" in line][-20:]

    def worker_rss_mib(self, field: str = "VmRSS") -> list[float]:
        """Resident memory of each worker (the master's children), in MiB. `field` is a line of
        /proc/PID/status: VmRSS for all of it, RssAnon for the heap alone (RssFile is files mapped in, such as
        the search index's segments, shared with the other workers and given back under memory pressure)."""
        pids = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout.split()
        sizes = []
        for pid in pids:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            kib = re.search(rf"^{field}:\s+(\d+) kB", status, re.M)
            sizes.append(round(int(kib.group(1)) / 1024, 1) if kib else 0.0)
        return sizes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pg_url(database: str) -> str:
    from sqlalchemy.engine import make_url  # here: only the PostgreSQL leg needs SQLAlchemy in the runner

    return make_url(PG_ADMIN).set(database=database).render_as_string(hide_password=False)


def _pg_connect(database: str | None = None):
    import psycopg  # here: only the PostgreSQL leg needs it

    url = (pg_url(database) if database else PG_ADMIN).replace("+psycopg", "")
    return psycopg.connect(url, connect_timeout=3, autocommit=True)


def pg_version() -> str:
    """The PostgreSQL server's version; BadInput when it does not answer."""
    try:
        with _pg_connect() as conn:
            return conn.execute("SHOW server_version").fetchone()[0]
    except Exception as exc:  # noqa: BLE001 - any failure to reach the server is the same bad input
        raise BadInput(f"PostgreSQL is not reachable at {PG_ADMIN}: {exc}") from exc


def create_pg_database() -> str:
    name = f"tribune_bench_{uuid.uuid4().hex[:10]}"
    with _pg_connect() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


def drop_pg_database(name: str) -> None:
    with _pg_connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _redis(number: int):
    import redis  # here: only the PostgreSQL leg uses Redis

    return redis.Redis.from_url(f"{REDIS_SERVER}/{number}", socket_connect_timeout=3)


def claim_redis() -> int:
    """An empty Redis database, claimed with a key so that two runs never share one, then flushed."""
    try:
        _redis(0).ping()
    except Exception as exc:  # noqa: BLE001 - any failure to reach Redis is the same bad input
        raise BadInput(f"Redis is not reachable at {REDIS_SERVER}: {exc}") from exc
    for number in REDIS_DATABASES:
        client = _redis(number)
        if client.dbsize() == 0 and client.set(REDIS_CLAIM, "1", nx=True, ex=24 * 3600) and client.dbsize() == 1:
            client.flushdb()
            client.set(REDIS_CLAIM, "1", ex=24 * 3600)
            return number
    raise BadInput(f"No empty Redis database among {list(REDIS_DATABASES)} at {REDIS_SERVER}.")


def release_redis(number: int) -> None:
    _redis(number).flushdb()


def build(database: Database, scale: str) -> None:
    """`flask portal bench-data` into the database, timed; its refusal (an unknown scale...) is BadInput."""
    path = database.folder / "bench-manifest.json"
    started = time.perf_counter()
    done = database.flask("portal", "bench-data", "--scale", scale, "--manifest", str(path))
    database.build_seconds = round(time.perf_counter() - started, 1)
    if done.returncode != 0:
        message = (done.stderr.strip() or done.stdout.strip()).splitlines()[-5:]
        raise BadInput(f"flask portal bench-data --scale {scale} refused ({database.kind}):\n  " + "\n  ".join(message))
    database.manifest = json.loads(path.read_text())


def serve(module: str, env: dict[str, str], gunicorn: str, folder: Path) -> Server:
    """gunicorn serving `module` with the given settings, once it answers."""
    port = free_port()
    log = folder / f"gunicorn-{module.replace(':', '-')}-{port}.log"
    env = {**env, "BASE_URL": f"http://127.0.0.1:{port}"}
    with log.open("w") as err:
        process = subprocess.Popen([str(BIN / "gunicorn"), *gunicorn.split(), "--bind", f"127.0.0.1:{port}", module],
                                   cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err)
    server = Server(process, port, log)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and process.poll() is None:
        try:
            urllib.request.urlopen(server.base + "/", timeout=30)
            return server
        except OSError:
            time.sleep(0.2)
    stop(process)
    raise RuntimeError(f"{module} did not start:\n{log.read_text()[-2000:]}")


def start_consumer(database: Database) -> None:
    """The job consumer, as `./tribune run` starts it."""
    database.consumer = subprocess.Popen([str(BIN / "huey_consumer"), "portal.worker.huey", "--workers", "2",
                                          "--worker-type", "thread", "--quiet"], cwd=ROOT, env=database.env,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def csrf_token(page: str) -> str:
    found = CSRF.search(page)
    if not found:
        raise RuntimeError("no csrf token on the page")
    return found.group(1) or found.group(2)


def sign_in(base: str, email: str, password: str) -> tuple[str, str]:
    """Sign in through the login form as a browser does: (Cookie header, csrf token for the member's forms).

    The form's token stays valid once signed in (the session keeps its csrf secret); the answer's redirect is
    not followed, to keep the sign-in of hundreds of members cheap.
    """
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    token = csrf_token(opener.open(f"{base}/login", timeout=60).read().decode())
    data = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password}).encode()
    try:
        answer = opener.open(f"{base}/login", data=data, timeout=60)
        status, location = answer.status, ""
    except urllib.error.HTTPError as error:
        status, location = error.code, error.headers.get("Location", "")
    if status != 302 or urllib.parse.urlsplit(location).path == "/login":
        raise RuntimeError(f"could not sign in as {email} (the login form answered {status})")
    return "; ".join(f"{c.name}={c.value}" for c in jar), token


@dataclass
class Stack:
    """Everything a run started, to stop and remove at the end."""

    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="tribune-bench-")))
    databases: list[Database] = field(default_factory=list)
    hello: Server | None = None
    pg_name: str = ""
    redis_number: int | None = None

    def add(self, kind: str) -> Database:
        folder = self.folder / kind
        folder.mkdir()
        database = Database(kind, folder)
        if kind == "postgresql":
            self.redis_number = claim_redis()
            database.redis_url = f"{REDIS_SERVER}/{self.redis_number}"
            self.pg_name = create_pg_database()
            database.url = pg_url(self.pg_name)
        self.databases.append(database)
        return database

    def close(self) -> None:
        for database in self.databases:
            stop(database.server.process if database.server else None)
            stop(database.consumer)
        stop(self.hello.process if self.hello else None)
        if self.pg_name:
            drop_pg_database(self.pg_name)
        if self.redis_number is not None:
            release_redis(self.redis_number)
        shutil.rmtree(self.folder, ignore_errors=True)
