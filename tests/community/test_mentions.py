"""@mentions in what members post link to members who exist, and only outside code; hashtags beside them.

The Markdown and hashtag rules themselves are tested with the kernel's renderer in tests/test_text.py.
"""
from __future__ import annotations

from portal.kernel.timeutil import utcnow


def test_mentions_link_only_existing_members(app, alice, bob, make_post):
    post = make_post(alice, "Thanks @bob and @Nobody_here, and hi @BOB again")

    assert '<a href="/@bob" class="mention" rel="nofollow ugc">@bob</a>' in post.body_html
    assert '<a href="/@bob" class="mention" rel="nofollow ugc">@BOB</a>' in post.body_html
    assert "@Nobody_here" in post.body_html
    assert "/@nobody_here" not in post.body_html


def test_deleted_members_are_not_linked(app, alice, established, make_post):
    gone = established(username="gone_member", deleted_at=utcnow())

    post = make_post(alice, f"Where is @{gone.username}?")

    assert 'class="mention"' not in post.body_html
    assert "@gone_member" in post.body_html


def test_mentions_are_not_linked_in_code_or_email_addresses(app, alice, bob, make_post):
    post = make_post(alice, "Write to team@bob.example or type `@bob` in the box")

    assert 'class="mention"' not in post.body_html


def test_hashtags_and_mentions_combine_with_markdown(app, alice, bob, make_post):
    post = make_post(alice, "**@bob loves #Tea**")

    assert post.body_html.startswith("<p><strong>")
    assert 'href="/@bob"' in post.body_html
    assert 'href="/tags/tea"' in post.body_html
