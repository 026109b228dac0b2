"""One unit of work per use case: the rule decides, the transaction commits, then the world hears.

`after_commit(session, fn, *args)` queues a side effect (mail, search indexing, page-cache
invalidation, a scheduled job) on the session's transaction; a rollback drops it. A service
ends with `commit(session)`, which commits once and then runs what was queued (the session
cannot run SQL inside SQLAlchemy's own after-commit hook, and effects may read). `use_case`
wraps a service function so that any exception rolls its transaction back: views neither
commit nor roll back.
"""
from __future__ import annotations

import functools
import logging
from typing import Any, Callable, ParamSpec, TypeVar

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

P = ParamSpec("P")
R = TypeVar("R")
_PENDING = "tribune.after_commit"
_ONCE = "tribune.after_commit_once"  # what after_commit_once queued, for this transaction
_READY = "tribune.committed"
_DEPTH = "tribune.use_case_depth"
log = logging.getLogger(__name__)


def after_commit(session: Session, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run `fn(*args, **kwargs)` after the session's transaction commits; never if it rolls back."""
    session.info.setdefault(_PENDING, []).append((fn, args, kwargs))


def after_commit_once(session: Session, fn: Callable[..., Any], *args: Any) -> None:
    """`after_commit`, unless the same effect with the same arguments already waits for this commit: a
    transaction that scores a member ten times queues one evaluation of them, not ten."""
    queued = session.info.setdefault(_ONCE, set())
    if (fn, args) not in queued:
        queued.add((fn, args))
        after_commit(session, fn, *args)


def pending(session: Session) -> list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]]:
    """What waits for the commit (tests read it)."""
    return list(session.info.get(_PENDING, []))


def commit(session: Session) -> None:
    """Commit the use case's transaction, then run its side effects."""
    session.commit()
    run_committed(session)


def run_committed(session: Session) -> None:
    """Run the effects of transactions that have committed, oldest first.

    The data is safe by now: an effect that fails (a full disk, the queue's Redis away) is logged and
    the others still run, so the member's request succeeds as its commit did. Tests (TESTING) see the
    first failure raised once every effect has run, so a broken effect cannot hide in a green suite.
    """
    failures: list[BaseException] = []
    for fn, args, kwargs in session.info.pop(_READY, []):
        try:
            fn(*args, **kwargs)
        except Exception as error:  # noqa: BLE001 - logged below; see the docstring
            log.exception("after-commit effect %s failed", getattr(fn, "__name__", fn))
            failures.append(error)
    if failures and has_app_context() and current_app.testing:
        raise failures[0]


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.in_nested_transaction():
        return  # SQLAlchemy 2.1 fires this when a savepoint is released: the transaction is still open
    # Whoever committed (a use case, a job, the demo), what it queued is now due.
    session.info.setdefault(_READY, []).extend(session.info.pop(_PENDING, []))
    session.info.pop(_ONCE, None)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, previous: SessionTransaction) -> None:
    if previous.parent is None and not previous.nested:  # the outermost transaction: its effects go with it
        _forget(session)


def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_ONCE, None)


def use_case(fn: Callable[P, R]) -> Callable[P, R]:
    """A service function that owns its transaction: on any exception it is rolled back, then re-raised.

    The session is the first argument. Nested use cases (one service calling another) leave
    the rollback to the outermost one.
    """

    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        session: Any = args[0]  # a Session or Flask-SQLAlchemy's scoped session
        depth = session.info.get(_DEPTH, 0)
        session.info[_DEPTH] = depth + 1
        try:
            result = fn(*args, **kwargs)
        except BaseException:
            if depth == 0:
                session.rollback()
                _forget(session)  # also when no statement had begun a transaction, so no rollback event fired
            raise
        finally:
            session.info[_DEPTH] = depth
        if depth == 0:
            run_committed(session)  # a service that committed with session.commit() still has its effects run
        return result

    return run
