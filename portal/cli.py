"""`flask portal ...`: the commands an operator runs."""
from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from .accounts import service as accounts
from .extensions import db
from .fans import scoring
from .feedback import triage
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
    """Check every idea's vote count and every member's spent votes against the vote rows, and mend them."""
    ideas, budgets = triage.recount_vote_counts(db.session)
    click.echo(f"{ideas} idea vote counts and {budgets} vote budgets were wrong; all now match the votes.")
