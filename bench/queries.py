"""SQL statements per request for every page of the benchmark, counted in-process.

    .venv/bin/python bench/queries.py MANIFEST.json     (prints {row: statements} as JSON)

Run by bench/run.py with the environment of the database under test (DATABASE_URL, INSTANCE_PATH,
REDIS_URL, SECRET_KEY): it creates the app as gunicorn does, signs in through the login form with the
Flask test client, and for each row makes one warm-up request, then counts the statements of the next
one with a SQLAlchemy `before_cursor_execute` listener. An anonymous page served from the page cache
counts what the cache costs (usually nothing).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event  # noqa: E402

from bench import load  # noqa: E402
from bench.stack import csrf_token  # noqa: E402
from portal import create_app  # noqa: E402
from portal.extensions import db  # noqa: E402


def signed_in(app, email: str, password: str):
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    answer = client.post("/login", data={"csrf_token": token, "email": email, "password": password})
    if answer.status_code != 302:
        raise SystemExit(f"could not sign in as {email}")
    return client


def main(manifest_path: str) -> None:
    manifest = json.loads(Path(manifest_path).read_text())
    app = create_app({"BASE_URL": "http://localhost"})  # the test client's host
    with app.app_context():
        engine = db.engine
    statements = [0]

    def count(*_args) -> None:
        statements[0] += 1

    event.listen(engine, "before_cursor_execute", count)
    clients = {"anonymous": app.test_client(),
               "member": signed_in(app, manifest["member"], load.password(manifest, manifest["member"])),
               "staff": signed_in(app, manifest["staff"], load.password(manifest, manifest["staff"]))}
    counted = {}
    for name, page, who in load.rows():
        path = page.path(manifest)
        if clients[who].get(path).status_code != 200:
            raise SystemExit(f"{name}: {path} does not answer 200")
        statements[0] = 0
        clients[who].get(path)
        counted[name] = statements[0]
    print(json.dumps(counted))


if __name__ == "__main__":
    main(sys.argv[1])
