"""Posting rules: what a member may publish, with which photos, and what editing and deleting do."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from portal.community import queries, service, social
from portal.community.models import Hashtag, NotificationKind, Photo, Post, PostHashtag
from portal.community.service import NEW_ACCOUNT_POSTS_PER_DAY, CommunityError, Gone
from portal.extensions import db
from portal.fans.models import EngagementEvent
from portal.kernel import images
from portal.kernel.notifications import Notification
from portal.kernel.timeutil import utcnow

from .helpers import messages


def tags_of(post: Post) -> set[str]:
    return set(db.session.scalars(select(Hashtag.name).join(PostHashtag).where(PostHashtag.post_id == post.id)))


def events(kind: str, **where) -> list[EngagementEvent]:
    query = select(EngagementEvent).where(EngagementEvent.kind == kind)
    for column, value in where.items():
        query = query.where(getattr(EngagementEvent, column) == value)
    return list(db.session.scalars(query))


def age(post: Post, minutes: int) -> None:
    """Move a post back in time, as if it had been written `minutes` ago."""
    db.session.execute(update(Post).where(Post.id == post.id).values(created_at=utcnow() - timedelta(minutes=minutes)))
    db.session.commit()


def mentions_for(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                              Notification.kind == NotificationKind.MENTION)))


# -- the text ------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["", "   \n\t  ", "x" * 2001])
def test_empty_blank_or_too_long_text_is_refused_and_nothing_is_saved(app, alice, rows, body):
    with pytest.raises(CommunityError) as refused:
        service.create_post(db.session, alice, body=body)

    assert messages(refused.value, "body")
    assert rows(Post) == 0
    assert rows(EngagementEvent) == 0


def test_too_long_text_says_how_long_it_is(app, alice):
    with pytest.raises(CommunityError) as refused:
        service.create_post(db.session, alice, body="y" * 2500)

    assert "2000" in messages(refused.value, "body") and "2500" in messages(refused.value, "body")


def test_exactly_2000_characters_is_accepted_and_trimmed(app, alice):
    post = service.create_post(db.session, alice, body="  " + "z" * 2000 + "\n\n")

    assert post.body == "z" * 2000


def test_unverified_member_cannot_post(app, established, rows):
    newcomer = established(email_verified_at=None)

    with pytest.raises(CommunityError) as refused:
        service.create_post(db.session, newcomer, body="Hello everyone")

    assert "email" in messages(refused.value, "body").lower()
    assert rows(Post) == 0


def test_suspended_member_cannot_post_and_is_told_why(app, established, rows):
    troll = established(suspended_until=utcnow() + timedelta(days=3), suspension_reason="Insulting other members")

    with pytest.raises(CommunityError) as refused:
        service.create_post(db.session, troll, body="I am back")

    assert "Insulting other members" in messages(refused.value, "body")
    assert rows(Post) == 0


def test_an_expired_suspension_no_longer_stops_posting(app, established):
    former = established(suspended_until=utcnow() - timedelta(minutes=1), suspension_reason="Spam")

    assert service.create_post(db.session, former, body="Hello again").published_at is not None


# -- duplicates and the new-account cap ---------------------------------------------------


@pytest.mark.parametrize("again", ["Our new mug is great", "  our NEW   mug\nis great ", "OUR NEW MUG IS GREAT"])
def test_the_same_text_twice_within_five_minutes_is_refused(app, alice, rows, again):
    service.create_post(db.session, alice, body="Our new mug is great")

    with pytest.raises(CommunityError) as refused:
        service.create_post(db.session, alice, body=again)

    assert "same text" in messages(refused.value, "body")
    assert rows(Post) == 1


def test_the_same_text_is_accepted_after_five_minutes(app, alice, rows):
    first = service.create_post(db.session, alice, body="Our new mug is great")
    age(first, 6)

    service.create_post(db.session, alice, body="Our new mug is great")

    assert rows(Post) == 2


def test_the_same_text_from_another_member_is_fine(app, alice, bob, rows):
    service.create_post(db.session, alice, body="Happy Friday!")
    service.create_post(db.session, bob, body="Happy Friday!")

    assert rows(Post) == 2


def test_reposting_a_deleted_post_right_away_is_fine(app, alice, rows):
    first = service.create_post(db.session, alice, body="Typo in thsi one")
    service.delete_post(db.session, first, alice)

    service.create_post(db.session, alice, body="Typo in thsi one")

    assert rows(Post, Post.deleted_at.is_(None)) == 1


def test_a_new_account_is_capped_on_its_first_day(app, member, make_post, rows):
    for _ in range(NEW_ACCOUNT_POSTS_PER_DAY):
        make_post(member)

    with pytest.raises(CommunityError) as refused:
        make_post(member)

    assert "tomorrow" in messages(refused.value, "body")
    assert rows(Post) == NEW_ACCOUNT_POSTS_PER_DAY


def test_the_cap_lifts_once_the_account_is_a_day_old(app, member, make_post, rows):
    for _ in range(NEW_ACCOUNT_POSTS_PER_DAY):
        make_post(member)
    member.created_at = utcnow() - timedelta(days=1, minutes=1)
    db.session.commit()

    make_post(member)

    assert rows(Post) == NEW_ACCOUNT_POSTS_PER_DAY + 1


def test_an_established_member_is_not_capped(app, alice, make_post, rows):
    for _ in range(NEW_ACCOUNT_POSTS_PER_DAY + 3):
        make_post(alice)

    assert rows(Post) == NEW_ACCOUNT_POSTS_PER_DAY + 3


# -- announcements and scheduling ---------------------------------------------------------


def test_members_cannot_post_announcements(app, alice, rows):
    with pytest.raises(CommunityError) as refused:
        service.create_post(db.session, alice, body="Everyone listen", announcement=True)

    assert "staff" in messages(refused.value, "body").lower()
    assert rows(Post) == 0


def test_members_cannot_schedule_posts(app, alice, rows):
    with pytest.raises(CommunityError) as refused:
        service.create_post(db.session, alice, body="Later", publish_at=utcnow() + timedelta(hours=1))

    assert "staff" in messages(refused.value, "body").lower()
    assert rows(Post) == 0


def test_staff_can_announce(app, staff):
    post = service.create_post(db.session, staff, body="Big news tomorrow", announcement=True)

    assert post.is_announcement and post.published_at is not None


def test_a_publication_time_in_the_past_is_refused(app, staff, rows):
    with pytest.raises(CommunityError) as refused:
        service.create_post(db.session, staff, body="Yesterday's news", publish_at=utcnow() - timedelta(minutes=1))

    assert messages(refused.value, "publish_at")
    assert rows(Post) == 0


def test_a_scheduled_post_waits_unpublished(app, staff):
    when = utcnow() + timedelta(hours=2)

    post = service.create_post(db.session, staff, body="Launch day!", publish_at=when)

    assert post.published_at is None and post.scheduled_for == when


# -- hashtags, events -------------------------------------------------------------------


def test_a_posts_hashtags_are_recorded_and_shown_on_the_tag_page(app, alice, make_post):
    post = make_post(alice, "New #Mug and #tea, more #tea")

    assert tags_of(post) == {"mug", "tea"}
    assert [p.id for p in queries.hashtag_posts(db.session, "TEA", None).posts] == [post.id]


def test_editing_updates_the_hashtags(app, alice, make_post, rows):
    post = make_post(alice, "Loving #tea and #mug")

    service.edit_post(db.session, post, alice, body="Loving #coffee and #mug")

    assert tags_of(post) == {"coffee", "mug"}
    assert queries.hashtag_posts(db.session, "tea", None).posts == []
    assert [p.id for p in queries.hashtag_posts(db.session, "coffee", None).posts] == [post.id]
    assert rows(Hashtag, Hashtag.name == "mug") == 1  # reused, not duplicated


def test_two_posts_share_one_hashtag_row(app, alice, bob, make_post, rows):
    make_post(alice, "#launch day")
    make_post(bob, "Ready for #Launch")

    assert rows(Hashtag) == 1
    assert len(queries.hashtag_posts(db.session, "launch", None).posts) == 2


def test_posting_writes_a_post_event_and_a_question_a_question_event(app, alice, make_post):
    post = make_post(alice)
    question = make_post(alice, "Which size fits a 10-year-old?", is_question=True)

    assert [e.post_id for e in events("post", user_id=alice.id)] == [post.id]
    assert [e.post_id for e in events("question", user_id=alice.id)] == [question.id]


def test_deleting_removes_the_event(app, alice, make_post):
    post = make_post(alice)
    question = make_post(alice, "Is it dishwasher safe?", is_question=True)

    service.delete_post(db.session, post, alice)
    service.delete_post(db.session, question, alice)

    assert events("post") == [] and events("question") == []


# -- editing -------------------------------------------------------------------------------


def test_editing_marks_the_post_edited(app, alice, make_post, fresh):
    post = make_post(alice, "First version")
    assert post.edited_at is None

    service.edit_post(db.session, post, alice, body="Second version with **bold**")

    fresh(post)
    assert post.edited_at is not None
    assert post.body == "Second version with **bold**"
    assert "<strong>bold</strong>" in post.body_html


def test_saving_the_same_text_is_not_an_edit(app, alice, make_post, fresh):
    post = make_post(alice, "Unchanged")

    service.edit_post(db.session, post, alice, body="  Unchanged  ")

    assert fresh(post).edited_at is None


def test_editing_notifies_only_newly_mentioned_members(app, alice, bob, carol, make_post):
    post = make_post(alice, "Hi @bob")
    assert len(mentions_for(bob)) == 1

    service.edit_post(db.session, post, alice, body="Hi @bob and @carol")

    assert len(mentions_for(bob)) == 1
    assert [n.post_id for n in mentions_for(carol)] == [post.id]
    assert mentions_for(carol)[0].actor_id == alice.id


def test_editing_with_bad_text_changes_nothing(app, alice, make_post, fresh):
    post = make_post(alice, "Keep me")

    with pytest.raises(CommunityError):
        service.edit_post(db.session, post, alice, body="   ")

    assert fresh(post).body == "Keep me" and post.edited_at is None


def test_only_the_author_can_edit(app, alice, bob, moderator, make_post, fresh):
    post = make_post(alice, "Mine")

    for intruder in (bob, moderator):
        with pytest.raises(CommunityError):
            service.edit_post(db.session, post, intruder, body="Not any more")

    assert fresh(post).body == "Mine"


def test_editing_an_announcement_rewrites_its_translation_or_removes_it(app, staff, make_post, fresh):
    post = make_post(staff, "The shop is closed on Monday.", announcement=True, translation="La boutique est fermée lundi.",
                     translation_locale="fr")

    service.edit_post(db.session, post, staff, body="The shop is closed on Tuesday.",
                      translation="La boutique est fermée **mardi**.", translation_locale="fr")

    fresh(post)
    assert post.body_i18n == {"fr": "La boutique est fermée **mardi**."}
    assert "<strong>mardi</strong>" in post.body_html_i18n["fr"] and "lundi" not in post.body_html_i18n["fr"]
    edited = post.edited_at
    service.edit_post(db.session, post, staff, body="The shop is closed on Tuesday.", translation="  ", translation_locale="fr")
    assert (fresh(post).body_i18n, post.body_html_i18n) == ({}, {})
    assert post.edited_at >= edited


def test_editing_only_the_text_keeps_the_translation_rendered_afresh(app, staff, bob, make_post, fresh):
    post = make_post(staff, "Ask @bob about the sale.", announcement=True, translation="Demandez à @bob.",
                     translation_locale="fr")
    db.session.execute(update(Post).where(Post.id == post.id).values(body_html_i18n={"fr": "<p>stale</p>"}))
    db.session.commit()

    service.edit_post(db.session, post, staff, body="Ask @bob about the winter sale.")

    fresh(post)
    assert post.body_i18n == {"fr": "Demandez à @bob."} and "stale" not in post.body_html_i18n["fr"]
    assert "Demandez" in post.body_html_i18n["fr"]


def test_an_edit_keeps_the_rules_of_a_translation(app, staff, alice, make_post, fresh):
    announcement = make_post(staff, "Closed on Monday.", announcement=True)
    plain = make_post(alice, "Who is coming?")

    with pytest.raises(CommunityError) as caught:
        service.edit_post(db.session, plain, alice, body="Who is coming?", translation="Qui vient ?", translation_locale="fr")
    assert "Only announcements take a translation." in messages(caught.value, "translation")
    with pytest.raises(CommunityError) as caught:
        service.edit_post(db.session, announcement, staff, body="Closed on Tuesday.", translation="Fermé mardi.",
                          translation_locale="xx")
    assert "Choose the language of the translation." in messages(caught.value, "translation_locale")
    with pytest.raises(CommunityError):
        service.edit_post(db.session, announcement, staff, body="Closed on Monday.", translation="x" * 2001,
                          translation_locale="fr")

    assert (fresh(announcement).body, announcement.body_i18n, fresh(plain).body_i18n) == ("Closed on Monday.", {}, {})


def test_a_deleted_post_cannot_be_edited(app, alice, make_post):
    post = make_post(alice, "Bye")
    service.delete_post(db.session, post, alice)

    with pytest.raises(Gone):
        service.edit_post(db.session, post, alice, body="Back again")


# -- deleting ------------------------------------------------------------------------------


def test_only_the_author_can_delete(app, alice, bob, make_post, fresh):
    post = make_post(alice)

    with pytest.raises(CommunityError):
        service.delete_post(db.session, post, bob)

    assert fresh(post).deleted_at is None


def test_deleting_hides_the_post_everywhere_and_removes_its_photos(app, alice, bob, image, photo_files, make_post):
    social.follow(db.session, bob, alice)
    post = make_post(alice, "Gone soon #bye", photos=[image(), image()])
    assert len(photo_files()) == 4

    service.delete_post(db.session, post, alice)

    assert photo_files() == []
    assert post.id not in [p.id for p in queries.home_feed(db.session, bob).posts]
    assert post.id not in [p.id for p in queries.latest(db.session, alice).posts]
    assert queries.hashtag_posts(db.session, "bye", None).posts == []
    assert queries.member_posts(db.session, alice, alice).posts == []


def test_deleting_twice_is_harmless(app, alice, make_post):
    post = make_post(alice)
    service.delete_post(db.session, post, alice)
    service.delete_post(db.session, post, alice)

    assert post.deleted_at is not None


def test_photo_files_live_under_the_instance_folder(app, alice, image):
    post = service.create_post(db.session, alice, body="Where", photos=[image()])

    path = images.folder("photos") / post.photos[0].filename
    assert path.is_file() and Path(app.instance_path) in path.parents


def test_a_long_hashtag_that_grows_when_lower_cased_does_not_break_posting(app, alice, rows):
    """"İ" lower-cases to two characters: 30 of them must not overflow the 50-character tag name."""
    post = service.create_post(db.session, alice, body="Istanbul fans #" + "İ" * 30 + " and #ok")

    assert rows(Post) == 1
    assert all(len(name) <= 50 for name in tags_of(post))
    assert "ok" in tags_of(post)


def test_a_post_refused_for_its_text_keeps_none_of_its_photos(app, alice, image, rows, photo_files):
    with pytest.raises(CommunityError):
        service.create_post(db.session, alice, body="   ", photos=[image(), image()])

    assert rows(Photo) == 0 and photo_files() == []
