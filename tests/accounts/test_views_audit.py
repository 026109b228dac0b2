"""The audit log: sentences in the reader's language with links, newest first, filtered, paged, and
a fixed number of statements per page whatever it holds."""
from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pytest

from portal.accounts import roles
from portal.accounts.models import AuditEvent, Role
from portal.admin import audit
from portal.community import moderation
from portal.community.models import Comment, Post
from portal.extensions import db
from portal.feedback import triage
from portal.feedback.models import Board, Idea
from portal.kernel.timeutil import utcnow


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "CACHE_TYPE": "NullCache", "CACHE_NO_NULL_WARNING": True}


def words(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html.unescape(response.get_data(as_text=True))).split())


def sentences(response) -> list[str]:
    found = re.findall(r'<p class="audit-sentence">(.*?)</p>', html.unescape(response.get_data(as_text=True)), re.S)
    return [" ".join(re.sub(r"<[^>]+>", "", s).split()) for s in found]


@pytest.fixture
def history(app, admin, moderator, staff, make_member):
    """Sam (a moderator) hides Alex's post and a comment; staff hide an idea; the admin changes a role."""
    moderator.display_name, staff.display_name = "Sam Moderator", "Stella Staff"
    alex = make_member(display_name="Alex Fan")
    post = Post(author_id=alex.id, body="First night out with the kids in the new tent", body_html="<p>x</p>",
                published_at=utcnow())
    board = Board(slug="gear", name="Gear")
    db.session.add_all([post, board])
    db.session.flush()
    comment = Comment(post_id=post.id, author_id=alex.id, body="Nice", body_html="<p>Nice</p>")
    idea = Idea(board_id=board.id, author_id=alex.id, title="Lighter poles")
    db.session.add_all([comment, idea])
    db.session.commit()
    with app.test_request_context():
        moderation.hide(db.session, moderator, post=post, note="off topic")
        moderation.hide(db.session, moderator, comment=comment)
        triage.set_hidden(db.session, idea, staff, True)
        roles.set_role(db.session, actor=admin, target=alex, role=Role.MODERATOR)
    return {"alex": alex, "post": post, "comment": comment, "idea": idea, "board": board}


def test_the_log_reads_as_sentences_with_links_newest_first(client, auth, admin, history):
    auth.login(admin)
    response = client.get("/admin/audit")
    assert sentences(response) == [
        "Ada Admin changed the role of Alex Fan from Member to Moderator",
        "Stella Staff hid the idea “Lighter poles” by Alex Fan",
        "Sam Moderator hid a comment by Alex Fan on “First night out with the kids in the new tent”",
        "Sam Moderator hid the post “First night out with the kids in the new tent” by Alex Fan",
    ]
    body = response.get_data(as_text=True)
    post, comment, idea = history["post"], history["comment"], history["idea"]
    assert f'href="/posts/{post.id}"' in body and f'href="/posts/{post.id}#comment-{comment.id}"' in body
    assert f'href="/ideas/{idea.id}"' in body and f'href="/members/{history["alex"].id}">Alex Fan</a>' in body


def test_the_log_speaks_french_to_a_french_admin(client, auth, admin, history):
    admin.locale = "fr"
    db.session.commit()
    auth.login(admin)
    said = sentences(client.get("/admin/audit"))
    assert said[0] == "Ada Admin a changé le rôle de Alex Fan de Membre à Modérateur"
    assert "Sam Moderator a masqué la publication « First night out with the kids in the new tent » de Alex Fan" in said


def test_the_log_filters_by_actor_and_by_action(client, auth, admin, moderator, history):
    auth.login(admin)
    by_sam = sentences(client.get(f"/admin/audit?actor={moderator.id}"))
    assert len(by_sam) == 2 and all(s.startswith("Sam Moderator") for s in by_sam)
    ideas = sentences(client.get("/admin/audit?action=idea.hide"))
    assert ideas == ["Stella Staff hid the idea “Lighter poles” by Alex Fan"]
    assert sentences(client.get(f"/admin/audit?actor={moderator.id}&action=idea.hide")) == []
    assert "No entry matches these filters." in words(client.get(f"/admin/audit?actor={moderator.id}&action=idea.hide"))
    assert len(sentences(client.get("/admin/audit?action=nonsense"))) == 4  # an unknown action is no filter


def test_the_log_is_paged(client, auth, admin, make_member):
    target = make_member(display_name="Pat Member")
    start = utcnow() - timedelta(days=1)
    db.session.add_all([AuditEvent(actor_id=admin.id, target_user_id=target.id, action="role.change",
                                   details={"from": "member", "to": "staff"}, created_at=start + timedelta(minutes=n))
                        for n in range(audit.PER_PAGE + 3)])
    db.session.commit()
    auth.login(admin)
    first = client.get("/admin/audit")
    assert len(sentences(first)) == audit.PER_PAGE and "Page 1 of 2" in words(first)
    second = client.get("/admin/audit?page=2")
    assert len(sentences(second)) == 3 and "Page 2 of 2" in words(second)


def test_a_page_of_the_log_costs_the_same_statements_however_many_entries(app, client, auth, admin, moderator, staff,
                                                                          make_member, history, count_queries):
    auth.login(admin)
    client.get("/admin/audit")
    with count_queries() as few:
        client.get("/admin/audit")
    with app.test_request_context():
        for n in range(8):
            author = make_member(display_name=f"Fan {n}")
            post = Post(author_id=author.id, body=f"Post {n}", body_html="<p>x</p>", published_at=utcnow())
            idea = Idea(board_id=history["board"].id, author_id=author.id, title=f"Idea {n}")
            db.session.add_all([post, idea])
            db.session.commit()
            moderation.hide(db.session, moderator, post=post)
            triage.set_hidden(db.session, idea, staff, True)
            triage.save_board(db.session, admin, history["board"], name="Gear", slug="gear", description="",
                              visibility="public", vote_budget=10, position=0, categories="")
    with count_queries() as many:
        response = client.get("/admin/audit")
    assert len(sentences(response)) == 4 + 3 * 8
    assert many.count == few.count + 1, "\n".join(many.statements)  # + the boards, a kind the first page did not name
