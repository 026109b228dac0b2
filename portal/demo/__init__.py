"""The demo community: Fernhill, an outdoor-gear brand, and its fans, the same every time (a
seeded random generator).

Each feature names its demo builder from its `init_app`, as a string ("portal.demo.community:build"
in `features.registry(app).demo_builders`), so no feature imports this package. `load` runs the
builders in that order, the accounts builder first (the others need its people), in ONE
transaction: builders only add to the session and flush, never commit; `load` tells the news
they queued, commits once, and only then do the side effects run: every search source's index
is rebuilt by the search feature from what was committed, and the page cache is emptied.
An error anywhere rolls everything back, so a half-loaded demo never exists.

Builders write through the helpers real use calls (see each module's docstring); their texts are
data, in portal/demo/data/.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.utils import import_string

from ..accounts.models import User
from ..extensions import cache
from ..fans.ledger import REPLAY
from ..feedback import tallies
from ..kernel import features
from ..kernel.uow import after_commit, commit, use_case
from ..search import sources_of
from ..search.service import rebuild_all
from .accounts import ADMIN_EMAIL, MEMBER_COUNT, SIGN_INS
from .kit import Demo

__all__ = ["MEMBER_COUNT", "SIGN_INS", "builders", "load"]

Builder = Callable[[Demo], None]
# Builders that read what all the others wrote: the fans builder draws the tiers from every contribution's
# points, so it runs last although its feature registers before community and feedback.
LAST = ("portal.demo.fans:build",)


def builders(app: Flask | None = None) -> list[Builder]:
    """The features' demo builders, in the order the features registered (accounts, whose people the others
    need, first), those in `LAST` after the others."""
    names = features.registry(app).demo_builders
    return [import_string(name) for name in sorted(names, key=lambda name: name in LAST)]


@use_case
def load(session: Session, seed: int = 2026) -> bool:
    """Build the demo community unless it is there already. Returns whether it built it."""
    if session.scalar(select(User.id).where(User.email == ADMIN_EMAIL)) is not None:
        return False
    demo = Demo(session, seed)
    session.info[REPLAY] = {}  # the demo is the new database's only writer: the ledger counts caps in memory
    try:
        with demo.recording():
            for build in builders():
                build(demo)
            demo.tell_news()
        tallies.recount(session)  # the fans builder set the tiers last: the votes weigh by them from the start
        after_commit(session, rebuild_all, session, sources_of())
        after_commit(session, cache.clear)  # every cached page and fragment predates the demo
        commit(session)
    except BaseException:
        demo.discard_files()  # and `use_case` rolls the rows back
        raise
    finally:
        session.info.pop(REPLAY, None)
    return True
