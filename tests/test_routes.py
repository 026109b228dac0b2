"""Every route, walked as every kind of visitor: who may use it is declared here.

A new route fails `test_every_route_is_in_the_table` until it gets its row, so no
page ships without someone deciding who may see it.
"""
from __future__ import annotations

from typing import Any

import pytest

from portal.accounts.models import Role, Tier

# A superfan is a member (role MEMBER) whose engagement tier is SUPERFAN: a member for every
# role check, who also sees the superfans-only boards.
PERSONAS = ("anonymous", "member", "superfan", "moderator", "staff", "admin")
PERSONA_ACCOUNTS: dict[str, dict[str, Any]] = {
    "member": {"role": Role.MEMBER},
    "superfan": {"role": Role.MEMBER, "tier": Tier.SUPERFAN},
    "moderator": {"role": Role.MODERATOR},
    "staff": {"role": Role.STAFF},
    "admin": {"role": Role.ADMIN},
}
LOGIN = "login"  # a redirect to the sign-in page
ANY = "any-redirect"


def everyone(status: Any) -> dict[str, Any]:
    return dict.fromkeys(PERSONAS, status)


def signed_in(status: Any) -> dict[str, Any]:
    return {"anonymous": LOGIN, **dict.fromkeys(PERSONAS[1:], status)}


def at_least(role: str, status: Any) -> dict[str, Any]:
    allowed = PERSONAS.index(role)
    return {p: (LOGIN if p == "anonymous" else status if i >= allowed else 403) for i, p in enumerate(PERSONAS)}


def superfans_and_staff(status: Any, anonymous: Any = 404) -> dict[str, Any]:
    """A superfans-only board: it does not exist for visitors, members and moderators."""
    return {**dict.fromkeys(PERSONAS, 404), "anonymous": anonymous, "superfan": status, "staff": status, "admin": status}


def staff_on_superfans_board(status: Any) -> dict[str, Any]:
    """A staff route on a superfans-only idea: the role check comes first, then the board."""
    return {**at_least("staff", status), "superfan": 403, "member": 403, "moderator": 403}


# (endpoint, method, path, expected per persona). {target} is another member's id; the
# placeholders of the community and feedback rows are filled by the `content` and `feedback` fixtures.
ROUTES: list[tuple[str, str, str, dict[str, Any]]] = [
    ("pages.home", "GET", "/", {**signed_in(ANY), "anonymous": 200}),  # members go to their feed
    ("pages.conduct", "GET", "/code-of-conduct", everyone(200)),
    ("pages.privacy", "GET", "/privacy", everyone(200)),
    ("site.theme", "GET", "/theme.css", everyone(200)),
    ("site.logo", "GET", "/media/logos/missing.png", everyone(404)),
    ("site.favicon", "GET", "/favicon.ico", everyone(ANY)),
    ("accounts.signup", "GET", "/signup", {"anonymous": 200, **dict.fromkeys(PERSONAS[1:], ANY)}),
    ("accounts.login", "GET", "/login", {"anonymous": 200, **dict.fromkeys(PERSONAS[1:], ANY)}),
    ("accounts.signup_sent", "GET", "/signup/sent", everyone(200)),
    ("accounts.logout", "POST", "/logout", signed_in(ANY)),
    ("accounts.verify", "GET", "/verify/not-a-token", everyone(ANY)),
    ("accounts.resend_verification", "POST", "/verify/resend", signed_in(ANY)),
    ("accounts.forgot_password", "GET", "/password/forgot", everyone(200)),
    ("accounts.reset_password", "GET", "/password/reset/not-a-token", everyone(ANY)),
    ("accounts.profile", "GET", "/account/profile", signed_in(200)),
    ("accounts.settings", "GET", "/account/settings", signed_in(200)),
    ("accounts.change_password", "GET", "/account/password", signed_in(200)),
    ("accounts.export", "GET", "/account/export", signed_in(200)),
    ("accounts.delete", "GET", "/account/delete", {**signed_in(200), "admin": ANY}),
    ("accounts.member", "GET", "/members/{target}", everyone(200)),
    ("accounts.avatar", "GET", "/media/avatars/missing.webp", everyone(404)),
    ("accounts.demo_inbox", "GET", "/account/inbox", signed_in(404)),  # only in demo mode
    ("admin.index", "GET", "/admin/", at_least("admin", ANY)),
    ("admin.members", "GET", "/admin/members", at_least("admin", 200)),
    ("admin.set_role", "POST", "/admin/members/{target}/role", at_least("admin", ANY)),
    ("admin.audit", "GET", "/admin/audit", at_least("admin", 200)),
    ("admin.site", "GET", "/admin/site", at_least("admin", 200)),
    ("admin.outbox", "GET", "/admin/outbox", at_least("admin", 200)),
    ("admin.outbox_message", "GET", "/admin/outbox/missing.eml", at_least("admin", 404)),
    # The community network. {post} and {comment} belong to {target}, who is none of the personas.
    ("community.community", "GET", "/community", everyone(200)),
    ("community.hashtag", "GET", "/tags/trail", everyone(200)),
    ("community.feed", "GET", "/feed", signed_in(200)),
    ("community.questions", "GET", "/questions", at_least("staff", 200)),
    ("community.new_post", "GET", "/posts/new", signed_in(200)),
    ("community.post", "GET", "/posts/{post}", everyone(200)),
    ("community.edit_post", "GET", "/posts/{post}/edit", signed_in(403)),
    ("community.delete_post", "POST", "/posts/{post}/delete", signed_in(403)),
    ("community.like_post", "POST", "/posts/{post}/like", signed_in(ANY)),
    ("community.add_comment", "POST", "/posts/{post}/comments", signed_in(ANY)),
    ("community.edit_comment", "GET", "/comments/{comment}/edit", signed_in(403)),
    ("community.delete_comment", "POST", "/comments/{comment}/delete", signed_in(403)),
    ("community.like_comment", "POST", "/comments/{comment}/like", signed_in(ANY)),
    ("community.mark_answer", "POST", "/posts/{post}/answer/{comment}", signed_in(ANY)),
    ("community.unmark_answer", "POST", "/posts/{post}/unanswer", signed_in(ANY)),
    ("moderation.report_post", "GET", "/posts/{post}/report", signed_in(200)),
    ("moderation.report_comment", "GET", "/comments/{comment}/report", signed_in(200)),
    ("community.handle", "GET", "/@{username}", everyone(ANY)),
    ("community.follow", "POST", "/members/{target}/follow", signed_in(ANY)),
    ("community.unfollow", "POST", "/members/{target}/unfollow", signed_in(ANY)),
    ("community.photo", "GET", "/media/photos/missing.jpg", everyone(404)),
    ("community.notifications", "GET", "/notifications", signed_in(200)),
    ("community.unsubscribe", "GET", "/notifications/unsubscribe/not-a-token", everyone(ANY)),
    ("moderation.moderation_queue", "GET", "/moderation", at_least("moderator", 200)),
    ("moderation.hide", "POST", "/moderation/posts/{post}/hide", at_least("moderator", ANY)),
    ("moderation.restore", "POST", "/moderation/posts/{post}/restore", at_least("moderator", ANY)),
    ("moderation.dismiss", "POST", "/moderation/reports/999999/dismiss", at_least("moderator", 404)),
    ("moderation.suspend", "GET", "/moderation/members/{target}/suspend", at_least("moderator", 200)),
    ("moderation.unsuspend", "POST", "/moderation/members/{target}/unsuspend", at_least("moderator", ANY)),
    # Search of the feedback board's ideas: everyone, each seeing only the boards they may.
    ("search.everything", "GET", "/search?q=tent", everyone(200)),
    ("search.search", "GET", "/ideas/search?q=tent", everyone(200)),
    ("search.similar", "GET", "/ideas/similar?title=tent+pegs", everyone(200)),
    # The feedback board. Every idea is by {target}; POSTs carry no form fields, so a staff form
    # is refused with its errors (422) and changes nothing.
    ("feedback.boards", "GET", "/boards", everyone(200)),
    ("feedback.board", "GET", "/boards/{board_slug}", everyone(200)),
    ("feedback.board", "GET", "/boards/{members_slug}", signed_in(200)),
    ("feedback.board", "GET", "/boards/{superfans_slug}", superfans_and_staff(200)),
    ("feedback.board", "GET", "/boards/no-such-board", everyone(404)),
    ("feedback.new_idea", "GET", "/boards/{board_slug}/new", signed_in(200)),
    ("feedback.new_idea", "GET", "/boards/{superfans_slug}/new", superfans_and_staff(200, LOGIN)),
    ("feedback.idea", "GET", "/ideas/{idea}", everyone(200)),
    ("feedback.idea", "GET", "/ideas/{members_idea}", signed_in(200)),
    ("feedback.idea", "GET", "/ideas/{superfan_idea}", superfans_and_staff(200)),
    ("feedback.idea", "GET", "/ideas/999999", everyone(404)),
    ("feedback.edit_idea", "GET", "/ideas/{idea}/edit", at_least("staff", 200)),  # the author may too
    ("feedback.edit_idea", "GET", "/ideas/{superfan_idea}/edit", {**superfans_and_staff(200, LOGIN), "superfan": 403}),
    ("feedback.vote", "POST", "/ideas/{idea}/vote", signed_in(ANY)),
    ("feedback.vote", "POST", "/ideas/{superfan_idea}/vote", superfans_and_staff(ANY, LOGIN)),
    ("feedback.unvote", "POST", "/ideas/{idea}/unvote", signed_in(ANY)),
    ("feedback.comment", "POST", "/ideas/{idea}/comments", signed_in(422)),  # an empty comment
    ("feedback.comment", "POST", "/ideas/{superfan_idea}/comments", superfans_and_staff(422, LOGIN)),
    ("feedback.delete_comment", "POST", "/ideas/comments/{idea_comment}/delete", at_least("moderator", ANY)),
    ("feedback.subscription", "POST", "/ideas/{idea}/subscription", signed_in(ANY)),
    ("feedback.roadmap", "GET", "/roadmap", everyone(200)),
    ("feedback.roadmap_column", "GET", "/roadmap/planned", everyone(200)),
    ("feedback.roadmap_column", "GET", "/roadmap/open", everyone(404)),
    ("feedback.changelog", "GET", "/changelog", everyone(200)),
    ("feedback.staff.change_status", "POST", "/ideas/{idea}/status", at_least("staff", 422)),
    ("feedback.staff.change_status", "POST", "/ideas/{superfan_idea}/status", staff_on_superfans_board(422)),
    ("feedback.staff.post_response", "POST", "/ideas/{idea}/response", at_least("staff", ANY)),
    ("feedback.staff.merge", "POST", "/ideas/{idea}/merge", at_least("staff", 422)),
    ("feedback.staff.vote_on_behalf", "POST", "/ideas/{idea}/on-behalf", at_least("staff", 422)),
    ("feedback.staff.estimates", "POST", "/ideas/{idea}/estimates", at_least("staff", ANY)),
    ("feedback.staff.hide", "POST", "/ideas/{idea}/hide", at_least("moderator", ANY)),
    ("feedback.staff.priorities", "GET", "/staff/priorities", at_least("staff", 200)),
    ("feedback.staff.priorities_csv", "GET", "/staff/priorities.csv", at_least("staff", 200)),
    ("feedback.staff.save_estimates", "POST", "/staff/priorities", at_least("staff", ANY)),
    ("staff.home", "GET", "/staff", at_least("staff", 200)),
    ("staff.mark_reviewed", "POST", "/staff/ideas/{idea}/reviewed", at_least("staff", ANY)),
    ("feedback.staff.admin_boards", "GET", "/admin/boards", at_least("admin", 200)),
    ("feedback.staff.edit_board", "GET", "/admin/boards/new", at_least("admin", 200)),
    ("feedback.staff.edit_board", "GET", "/admin/boards/{board_id}", at_least("admin", 200)),
    ("feedback.staff.edit_board", "GET", "/admin/boards/999999", at_least("admin", 404)),
    ("fans.engagement", "GET", "/me/engagement", signed_in(200)),
    ("fans.leaderboard_visibility", "POST", "/me/engagement/leaderboard", signed_in(ANY)),
    ("fans.leaderboard", "GET", "/leaderboard", everyone(200)),
    ("fans.leaderboard", "GET", "/leaderboard?period=all&tier=superfans", everyone(200)),
    ("fans.leaderboard", "GET", "/leaderboard?tier=legends", everyone(404)),
    ("fans.badge", "GET", "/badges/first_post", everyone(200)),
    ("fans.badge", "GET", "/badges/nonsense", everyone(404)),
    ("fans_admin.settings", "GET", "/admin/fans/", at_least("admin", 200)),
    ("fans_admin.settings", "POST", "/admin/fans/", at_least("admin", 422)),
    ("staff.fans", "GET", "/staff/fans", at_least("staff", 200)),
    ("staff.fans", "GET", "/staff/fans?selection=999999", at_least("staff", 404)),
    ("staff.fans_csv", "GET", "/staff/fans.csv", at_least("staff", 200)),
    ("staff.save_fan_selection", "POST", "/staff/fans/selections", at_least("staff", 422)),
    ("staff.delete_fan_selection", "POST", "/staff/fans/selections/999999/delete", at_least("staff", 404)),
    ("staff.fan", "GET", "/staff/fans/{target}", at_least("moderator", 200)),
    ("staff.fan", "GET", "/staff/fans/999999", at_least("moderator", 404)),
    ("staff.add_fan_note", "POST", "/staff/fans/{target}/notes", at_least("staff", 422)),
    ("staff.pin_fan", "POST", "/staff/fans/{target}/pin", at_least("staff", 422)),
    ("staff.unpin_fan", "POST", "/staff/fans/{target}/unpin", at_least("staff", 422)),
    ("staff.void_fan_points", "POST", "/staff/fans/{target}/void", at_least("moderator", 422)),
    # Last: it deletes its idea (for staff and admins).
    ("feedback.delete_idea", "POST", "/ideas/{doomed_idea}/delete", at_least("staff", ANY)),
]


def test_every_route_is_in_the_table(app):
    declared = {endpoint for endpoint, *_ in ROUTES}
    served = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert served - declared == set(), "routes without a row in tests/test_routes.py"
    assert declared - served == set(), "rows for routes that no longer exist"


@pytest.fixture
def content(app, stranger):
    """A post with a comment, both by `stranger`."""
    from datetime import timedelta

    from portal.community import service
    from portal.extensions import db
    from portal.kernel.timeutil import utcnow

    stranger.created_at = utcnow() - timedelta(days=30)
    db.session.commit()
    with app.test_request_context():
        post = service.create_post(db.session, stranger, body="Route table post #trail")
        comment = service.add_comment(db.session, post, stranger, body="Route table comment")
    return {"post": post.id, "comment": comment.id, "username": stranger.username}


@pytest.fixture
def feedback(app, admin, stranger):
    """A public, a members-only and a superfans-only board with an idea each by `stranger`, who
    also commented on the public one and posted a second public idea for the delete row."""
    from portal.accounts.models import Tier
    from portal.extensions import db
    from portal.feedback import service, triage
    from portal.feedback.models import Visibility

    with app.test_request_context():
        boards = {visibility: triage.save_board(db.session, admin, None, name=f"{visibility.value} board",
                                                slug=f"{visibility.value}-board", description="", visibility=visibility,
                                                vote_budget=10, categories="Tents")
                  for visibility in Visibility}
        stranger.tier = Tier.SUPERFAN  # only a superfan (or staff) may post on the superfans' board
        ideas = {visibility: service.submit_idea(db.session, board, stranger, title=f"Route table idea, {visibility.value}")[0]
                 for visibility, board in boards.items()}
        stranger.tier = Tier.MEMBER
        db.session.commit()
        doomed, _voted = service.submit_idea(db.session, boards[Visibility.PUBLIC], stranger, title="Route table idea to delete")
        comment = service.add_comment(db.session, ideas[Visibility.PUBLIC], stranger, body="Route table idea comment")
    return {"board_slug": boards[Visibility.PUBLIC].slug, "members_slug": boards[Visibility.MEMBERS].slug,
            "superfans_slug": boards[Visibility.SUPERFANS].slug, "board_id": boards[Visibility.PUBLIC].id,
            "idea": ideas[Visibility.PUBLIC].id, "members_idea": ideas[Visibility.MEMBERS].id,
            "superfan_idea": ideas[Visibility.SUPERFANS].id, "doomed_idea": doomed.id, "idea_comment": comment.id}


@pytest.mark.parametrize("persona", PERSONAS)
def test_route_table(persona, client, auth, make_member, stranger, content, feedback):
    if persona != "anonymous":
        user = make_member(**PERSONA_ACCOUNTS[persona], email=f"{persona}@example.com")
        auth.login(user)
    failures = []
    for endpoint, method, path, expected in ROUTES:
        url = path.format(target=stranger.id, **content, **feedback)
        response = client.open(url, method=method, data={"role": "moderator"} if method == "POST" else None)
        want = expected[persona]
        got = response.status_code
        location = response.headers.get("Location", "")
        if want == LOGIN:
            ok = got == 302 and "/login" in location
        elif want == ANY:
            ok = got in (302, 303)
        else:
            ok = got == want
        if not ok:
            failures.append(f"{method} {url} as {persona}: expected {want}, got {got} {location}")
        if endpoint == "accounts.logout" and persona != "anonymous":
            auth.login(user)  # signing out was the point of that row; carry on signed in
    assert not failures, "\n".join(failures)
