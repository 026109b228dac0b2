"""The unit of work: side effects wait for the commit, a rollback drops them, a use case rolls back on error."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from portal.kernel import uow
from portal.kernel.site import SiteSetting


class Refused(Exception):
    pass


@uow.use_case
def rename_site(session, name: str, *, fail: bool = False, heard: list[str]) -> None:
    session.add(SiteSetting(key="name", value=name))
    uow.after_commit(session, heard.append, name)
    if fail:
        raise Refused()
    uow.commit(session)


@uow.use_case
def rename_twice(session, heard: list[str]) -> None:
    """A use case calling another: the inner one's commit runs its effects; the outer one's failure rolls back only what is left."""
    rename_site(session, "Inner", heard=heard)
    session.add(SiteSetting(key="tagline", value="outer"))
    raise Refused()


def test_an_effect_runs_once_after_the_commit(app):
    heard: list[str] = []
    rename_site(db.session, "Fernhill", heard=heard)
    assert heard == ["Fernhill"]
    assert db.session.scalar(select(SiteSetting.value).where(SiteSetting.key == "name")) == "Fernhill"
    db.session.commit()  # a later commit runs nothing twice
    assert heard == ["Fernhill"]


def test_an_error_rolls_back_the_rows_and_drops_the_effects(app):
    heard: list[str] = []
    with pytest.raises(Refused):
        rename_site(db.session, "Never", fail=True, heard=heard)
    assert heard == []
    assert db.session.scalar(select(SiteSetting.value).where(SiteSetting.key == "name")) is None, "rolled back by use_case"
    db.session.commit()
    assert heard == [], "a dropped effect never comes back with the next commit"
    assert uow.pending(db.session) == []


def test_a_rollback_drops_what_was_queued(app):
    heard: list[str] = []
    db.session.scalar(select(User.id))  # a transaction has begun
    uow.after_commit(db.session, heard.append, "lost")
    db.session.rollback()
    uow.commit(db.session)
    assert heard == []


@uow.use_case
def refuse_before_any_statement(session, heard: list[str]) -> None:
    uow.after_commit(session, heard.append, "lost")
    uow.after_commit_once(session, heard.append, "lost once")
    raise Refused()


def test_a_use_case_that_fails_before_any_statement_drops_its_effects_too(app):
    heard: list[str] = []
    db.session.rollback()
    assert db.session().get_transaction() is None  # so no rollback event can drop them
    with pytest.raises(Refused):
        refuse_before_any_statement(db.session, heard)
    uow.after_commit_once(db.session, heard.append, "lost once")  # queued anew, not taken for the dropped one
    uow.commit(db.session)
    assert heard == ["lost once"]


def test_a_savepoint_does_not_run_or_drop_the_outer_effects(app, member):
    heard: list[str] = []
    uow.after_commit(db.session, heard.append, "outer")
    with db.session.begin_nested():
        db.session.add(SiteSetting(key="accent", value="#000000"))
    assert heard == [], "releasing a savepoint is not a commit"
    try:
        with db.session.begin_nested():
            db.session.add(User(email=member.email, display_name="Twin", password_hash="x"))  # unique email
            db.session.flush()
    except Exception:  # noqa: BLE001 - the savepoint rolls back on its own
        pass
    uow.commit(db.session)
    assert heard == ["outer"], "a savepoint's rollback keeps the transaction's effects"


def test_an_effect_queued_before_a_savepoint_is_dropped_when_the_transaction_rolls_back(app):
    heard: list[str] = []
    uow.after_commit(db.session, heard.append, "lost")
    with db.session.begin_nested():
        db.session.add(SiteSetting(key="tagline", value="kept for a moment"))
    db.session.rollback()
    uow.commit(db.session)
    assert heard == []


def test_nested_use_cases_leave_the_rollback_to_the_outermost(app):
    heard: list[str] = []
    with pytest.raises(Refused):
        rename_twice(db.session, heard=heard)
    assert heard == ["Inner"], "the inner use case committed, so its effect ran"
    assert db.session.scalar(select(SiteSetting.value).where(SiteSetting.key == "tagline")) is None


def test_a_failing_effect_neither_undoes_the_commit_nor_hides_the_next(app, caplog):
    heard: list[str] = []

    def broken() -> None:
        raise RuntimeError("the SMTP server is away")

    app.testing = False  # as in production: logged, and the request goes on
    db.session.add(SiteSetting(key="name", value="Kept"))
    uow.after_commit(db.session, broken)
    uow.after_commit(db.session, heard.append, "next")
    uow.commit(db.session)
    assert heard == ["next"]
    assert "the SMTP server is away" in caplog.text
    assert db.session.scalar(select(SiteSetting.value).where(SiteSetting.key == "name")) == "Kept"


def test_a_plain_commit_leaves_its_effects_to_the_next_use_case_boundary(app):
    """Code that commits without uow.commit (a job, the shell) still has its effects run, once."""
    heard: list[str] = []
    uow.after_commit(db.session, heard.append, "late")
    db.session.commit()
    assert heard == []
    uow.run_committed(db.session)
    assert heard == ["late"]
    uow.run_committed(db.session)
    assert heard == ["late"]


def test_under_test_a_failing_effect_is_raised_after_the_others_ran(app):
    heard: list[str] = []

    def broken() -> None:
        raise RuntimeError("a broken effect")

    uow.after_commit(db.session, broken)
    uow.after_commit(db.session, heard.append, "next")
    with pytest.raises(RuntimeError, match="a broken effect"):
        uow.commit(db.session)
    assert heard == ["next"]


def test_an_effect_queued_once_runs_once_per_commit_and_again_after_it(app):
    heard: list[str] = []
    for _ in range(3):
        uow.after_commit_once(db.session, heard.append, "evaluate 7")
    uow.after_commit_once(db.session, heard.append, "evaluate 8")
    uow.commit(db.session)
    assert heard == ["evaluate 7", "evaluate 8"]
    uow.after_commit_once(db.session, heard.append, "evaluate 7")  # a new transaction: due again
    uow.commit(db.session)
    assert heard == ["evaluate 7", "evaluate 8", "evaluate 7"]


def test_a_rollback_forgets_what_was_queued_once(app):
    heard: list[str] = []
    db.session.scalar(select(User.id))  # a transaction has begun
    uow.after_commit_once(db.session, heard.append, "lost")
    db.session.rollback()
    uow.after_commit_once(db.session, heard.append, "kept")
    uow.after_commit_once(db.session, heard.append, "lost")  # not still marked as queued by the rolled-back one
    uow.commit(db.session)
    assert heard == ["kept", "lost"]
