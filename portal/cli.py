"""`flask portal ...`: the commands an operator runs."""
from __future__ import annotations

import json
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .accounts import service as accounts
from .extensions import db
from .fans import scoring
from .feedback import triage
from .kernel import maintenance
from .search import service as search
from .search import sources_of

portal_cli = click.Group("portal", help="Tribune administration commands.")


@portal_cli.command("create-admin")
@click.argument("email")
@click.option("--password", help="Password for a new account (prompted if omitted; a random one is made with --generate).")
@click.option("--generate", is_flag=True, help="Make a random password and print it.")
@click.option("--name", "display_name", default="Admin", show_default=True, help="Display name of a new account.")
@with_appcontext
def create_admin(email: str, password: str | None, generate: bool, display_name: str) -> None:
    """Make EMAIL an admin, creating the account if it does not exist."""
    exists = db.session.scalar(db.select(accounts.User).where(accounts.User.email == email.strip().lower())) is not None
    if not exists and password is None and not generate:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user, generated = accounts.create_admin(db.session, email=email, password=password, display_name=display_name)
    except (accounts.AccountError, ValueError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{user.email} is an admin.")
    if generated:
        click.echo(f"Password: {generated}")


@portal_cli.command("demo")
@with_appcontext
def demo() -> None:
    """Load the demo community (once; running it again only prints the sign-ins)."""
    # Here, not at the top: the demo's builders, texts and drawing code stay out of every web worker and consumer.
    from . import demo as demo_data

    loaded = demo_data.load(db.session)
    click.echo("Demo community loaded." if loaded else "The demo community is already loaded.")
    click.echo("Sign in with:")
    for role, email, password in demo_data.SIGN_INS:
        click.echo(f"  {role:<10} {email:<32} {password}")


@portal_cli.command("reindex")
@with_appcontext
def reindex() -> None:
    """Rebuild every search index (the ideas, and any other source a feature registered) from the database."""
    for name, count in search.rebuild_all(db.session, sources_of()).items():
        click.echo(f"Indexed {count} {name}.")


@portal_cli.command("recompute-scores")
@with_appcontext
def recompute_scores() -> None:
    """Rebuild every member's engagement score from the ledger, as of today (what the nightly job does)."""
    started = time.perf_counter()
    count = scoring.recompute(db.session)
    click.echo(f"Recomputed {count} scores from the engagement ledger in {time.perf_counter() - started:.1f} s.")


@portal_cli.command("recount-votes")
@with_appcontext
def recount_votes() -> None:
    """Check every idea's vote figures and every member's spent votes against the vote rows, and mend them."""
    maintenance.analyze(db.session)  # the recount's correlated counts need the planner's statistics on SQLite
    ideas, budgets = triage.recount_vote_counts(db.session)
    click.echo(f"Vote figures were wrong on {ideas} ideas, and {budgets} vote budgets; all now match the votes.")


@portal_cli.command("bench-data")
@click.option("--scale", required=True, help="0.01, 0.1, 1 (10,000 members) or 10.")
@click.option("--seed", default=1, show_default=True, type=int, help="The same seed builds the same data.")
@click.option("--manifest", "manifest_path", type=click.Path(dir_okay=False), help="Where to write the manifest "
              "(default: INSTANCE_PATH/bench-manifest.json).")
@with_appcontext
def bench_data(scale: str, seed: int, manifest_path: str | None) -> None:
    """Build a benchmark community into an empty database (migrated here, then marked as made by bench-data)."""
    # Here, not at the top: the builder and its data stay out of every web worker and consumer.
    from . import benchdata

    try:
        scale = benchdata.normal_scale(scale)
        benchdata.prepare(db.session)
    except benchdata.Refused as refused:
        raise click.ClickException(str(refused)) from refused
    manifest = benchdata.build(db.session, scale, seed)
    path = Path(manifest_path or Path(current_app.instance_path) / "bench-manifest.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(manifest, indent=2) + "\n")
    counts = ", ".join(f"{value:,} {name}" for name, value in manifest["counts"].items())
    click.echo(f"Built scale {scale} in {manifest['build_seconds']['total']:.1f} s: {counts}.")
    click.echo(f"Manifest: {path}")


@portal_cli.command("bench-check")
@with_appcontext
def bench_check() -> None:
    """Recount every stored counter from the rows; print each difference (exit code 1 if any)."""
    # Here, not at the top: the checks stay out of every web worker and consumer.
    from .benchdata import check

    differences = check.differences(db.session)
    for difference in differences:
        click.echo(str(difference))
    if differences:
        raise click.exceptions.Exit(1)
    click.echo("All counters match the rows.")
