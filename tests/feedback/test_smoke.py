"""A first walk through the board: post, vote, status, merge, pages render."""
from __future__ import annotations

from portal.extensions import db
from portal.feedback import service, triage
from portal.feedback.models import IdeaStatus

from .conftest import budget_used, vote_rows


def test_walk(app, board, make_idea, make_member, staff, login):
    alice, bob = make_member(display_name="Alice"), make_member(display_name="Bob")
    idea = make_idea("Waterproof hiking boots for kids", author=alice, description="Sizes **30 to 38**.")
    assert idea.vote_count == 1 and vote_rows(idea) == 1 and budget_used(alice, board) == 1
    assert service.cast_vote(db.session, idea, bob)
    db.session.refresh(idea)
    assert idea.vote_count == 2 and budget_used(bob, board) == 1
    triage.change_status(db.session, idea, staff, status=IdeaStatus.PLANNED, explanation="We start in spring.")
    dup = make_idea("Kids waterproof boots please", author=bob)
    triage.merge_ideas(db.session, dup, idea, staff)
    db.session.refresh(idea)
    assert idea.vote_count == 2 and vote_rows(idea) == 2
    triage.change_status(db.session, idea, staff, status=IdeaStatus.DONE, explanation="Shipped!")
    assert budget_used(alice, board) == 0 and budget_used(bob, board) == 0
    browser = login(bob)
    for url in ["/boards", f"/boards/{board.slug}", f"/ideas/{idea.id}", "/roadmap", "/changelog",
                f"/boards/{board.slug}/new", "/community/notifications" if False else "/notifications"]:
        response = browser.get(url)
        assert response.status_code == 200, (url, response.get_data(as_text=True)[:3000])
    assert browser.get(f"/ideas/{dup.id}").status_code == 301
    staff_browser = login(staff)
    for url in [f"/ideas/{idea.id}", "/staff/priorities", "/staff/priorities.csv"]:
        response = staff_browser.get(url)
        assert response.status_code == 200, (url, response.get_data(as_text=True)[:3000])
    anon = app.test_client()
    for url in ["/boards", f"/boards/{board.slug}", f"/ideas/{idea.id}", "/roadmap", "/changelog"]:
        response = anon.get(url)
        assert response.status_code == 200, (url, response.get_data(as_text=True)[:3000])


def test_data_export_holds_ideas_votes_and_comments(board, make_idea, make_member, login):
    alice = make_member(display_name="Alice")
    idea = make_idea("Lighter trekking poles please", author=alice)
    service.add_comment(db.session, idea, alice, body="Carbon would be great.")
    data = login(alice).get("/account/export").get_json()
    assert [i["title"] for i in data["feedback"]["ideas"]] == ["Lighter trekking poles please"]
    assert [v["idea_id"] for v in data["feedback"]["votes"]] == [idea.id]
    assert data["feedback"]["comments"][0]["text"] == "Carbon would be great."
    assert data["feedback"]["subscribed_ideas"] == [idea.id]
