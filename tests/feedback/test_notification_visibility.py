"""Notifications about ideas follow the idea page's rule: news of an idea on a board the member no
longer sees (their tier went down, the board was made private) shows neither on the page nor in a digest."""
from __future__ import annotations

import pytest

from portal.accounts.models import Digest, Tier
from portal.community import notify
from portal.config import settings_of
from portal.extensions import db
from portal.feedback.models import Visibility
from portal.kernel import notifications

SECRET = "Secret collab with a famous climber"


@pytest.fixture
def superfan_board(make_board):
    return make_board(name="Inner circle", slug="inner-circle", visibility=Visibility.SUPERFANS)


@pytest.fixture
def told(make_idea, superfan_board, superfan, staff):
    """Sophie, a superfan, was told an idea on the superfans' board changed status."""
    idea = make_idea(SECRET, on=superfan_board)
    notifications.notify(db.session, superfan.id, "idea_status", actor_id=staff.id, idea_id=idea.id, detail="planned")
    db.session.commit()
    return idea


def page_of(login, member) -> str:
    return login(member).get("/notifications").get_data(as_text=True)


def test_the_member_who_may_see_the_board_reads_the_title(app, login, superfan, told):
    assert SECRET in page_of(login, superfan)


def test_news_of_a_board_the_member_no_longer_sees_is_not_shown(app, login, superfan, told):
    superfan.tier = Tier.FAN
    db.session.commit()

    text = page_of(login, superfan)

    assert SECRET not in text and f"/ideas/{told.id}" not in text
    db.session.refresh(superfan)
    assert superfan.unread_notifications == 0, "the bell does not count news the page does not show"


def test_hidden_news_past_the_first_page_is_marked_read_too(app, login, superfan, staff, make_idea, told):
    """The first page marks read every unread one the page does not show, not only those it would have listed."""
    visible = make_idea("Wider boots")  # on the public board
    for _ in range(notify.PAGE_SIZE + 1):  # newer than the hidden one: it would only be on the second page
        notifications.notify(db.session, superfan.id, "idea_comment", actor_id=staff.id, idea_id=visible.id)
    superfan.tier = Tier.FAN
    db.session.commit()

    page_of(login, superfan)

    db.session.refresh(superfan)
    assert superfan.unread_notifications == 0


def test_news_of_a_board_made_private_since_is_not_shown(app, login, member, staff, make_idea, make_board):
    board = make_board(name="Open board", slug="open-board")
    idea = make_idea(SECRET, on=board)
    notifications.notify(db.session, member.id, "idea_comment", actor_id=staff.id, idea_id=idea.id)
    db.session.commit()
    assert SECRET in page_of(login, member)

    board.visibility = Visibility.SUPERFANS
    db.session.commit()

    assert SECRET not in page_of(login, member)


def test_staff_still_read_every_boards_news(app, login, staff, superfan, told):
    notifications.notify(db.session, staff.id, "idea_status", actor_id=superfan.id, idea_id=told.id, detail="planned")
    db.session.commit()
    assert SECRET in page_of(login, staff)


def test_the_digest_leaves_it_out_too(app, superfan, staff, make_idea, told, mailbox):
    visible = make_idea("Wider boots")  # on the public board
    notifications.notify(db.session, superfan.id, "idea_status", actor_id=staff.id, idea_id=visible.id, detail="planned")
    superfan.tier, superfan.digest = Tier.FAN, Digest.DAILY
    db.session.commit()

    notify.send_due_digests(db.session, settings_of(app))

    [digest] = [m for m in mailbox() if m["To"] == superfan.email]
    text = digest.get_body(("plain",)).get_content() + digest.get_body(("html",)).get_content()
    assert "Wider boots" in text and SECRET not in text


def test_the_page_costs_the_same_queries_however_many_are_left_out(app, login, superfan, staff, make_idea,
                                                                  superfan_board, count_queries):
    browser = login(superfan)
    idea = make_idea("An idea", on=superfan_board)
    for _ in range(3):
        notifications.notify(db.session, superfan.id, "idea_status", actor_id=staff.id, idea_id=idea.id, detail="planned")
    db.session.commit()
    with count_queries() as few:
        browser.get("/notifications")
    for _ in range(20):
        notifications.notify(db.session, superfan.id, "idea_status", actor_id=staff.id, idea_id=idea.id, detail="planned")
    superfan.tier = Tier.FAN
    db.session.commit()

    with count_queries() as many:
        browser.get("/notifications")

    assert many.count <= few.count
