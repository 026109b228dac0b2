"""Posts and questions are searched as ideas are: stemmed in English and French, highlighted, corrected, and
only while the reader may see them (checked against the database, whatever the index holds); the index
follows every change after its commit."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from portal.accounts.models import Role
from portal.community import moderation
from portal.community import service as community
from portal.community.scheduling import publish_due_posts
from portal.extensions import db
from portal.kernel.timeutil import utcnow
from portal.search import service, sources_of


def everything(viewer, text: str, kind: str = "", page: int = 1) -> service.SearchPage:
    return service.search_everything(db.session, sources_of(), viewer, text, kind, page)


def found(viewer, text: str, kind: str = "") -> list[tuple[str, str]]:
    """(kind, title without marks) of each hit."""
    results = everything(viewer, text, kind).results
    return [(hit.source.name, re.sub(r"</?mark>", "", str(hit.title_html))) for hit in results.hits]


def counts(page: service.SearchPage) -> dict[str, int | None]:
    return {kind.name or "all": kind.count for kind in page.kinds}


def test_posts_questions_and_ideas_are_found_together_each_with_its_kind(make_idea, reindex, make_post):
    make_idea("Waterproof boots for muddy trails")
    reindex()
    make_post("Our waterproof boots survived the marathon\nFive hours of rain and dry socks.")
    make_post("Which boots are waterproof enough for snow?", is_question=True)
    make_post("Nothing to do with shoes")

    page = everything(None, "waterproof boots")

    assert sorted(hit.source.name for hit in page.results.hits) == ["ideas", "posts", "questions"]
    assert counts(page) == {"all": 3, "posts": 1, "questions": 1, "ideas": 1}
    assert [str(hit.source.kind) for hit in page.results.hits if hit.source.name == "questions"] == ["Question"]
    only = everything(None, "waterproof boots", kind="questions")
    assert [hit.source.name for hit in only.results.hits] == ["questions"]
    assert counts(only) == counts(page), "the tabs count every kind whichever is shown"
    assert everything(None, "waterproof boots", kind="nonsense").kind == "", "an unknown kind shows them all"


def test_a_posts_first_line_is_its_title_and_the_rest_its_snippet(make_post):
    make_post("Trail run this morning\nWe were <b>running</b> in the hills & the rain.")
    hit = everything(None, "runs").results.hits[0]
    assert str(hit.title_html) == "Trail <mark>run</mark> this morning"
    assert str(hit.snippet_html) == "We were &lt;b&gt;<mark>running</mark>&lt;/b&gt; in the hills &amp; the rain."


@pytest.mark.parametrize(("query", "body"), [("randonnées", "Une belle randonnée sous la pluie"),
                                             ("marcher", "Nous avons marché toute la journée"),
                                             ("tents", "Our tent held up in the storm")])
def test_post_words_match_their_other_forms_in_english_and_french(make_post, query, body):
    make_post(body)
    assert found(None, query) == [("posts", body)]


def test_a_misspelling_in_a_post_gets_a_suggestion(make_post):
    make_post("Lantern festival tonight")
    page = everything(None, "lantren festival")
    assert page.results.correction == "lantern festival"


def test_the_index_follows_each_change_after_its_commit(make_post, writer, moderator):
    post = make_post("Kayak trip on the lake")
    assert found(None, "kayak") == [("posts", "Kayak trip on the lake")], "indexed once the post committed"

    community.edit_post(db.session, post, writer, body="Canoe trip on the lake")
    assert found(None, "kayak") == [] and found(None, "canoe") == [("posts", "Canoe trip on the lake")]

    moderation.hide(db.session, moderator, post=post)
    assert found(None, "canoe") == [] and found(moderator, "canoe") == []
    moderation.restore(db.session, moderator, post=post)
    assert found(None, "canoe") == [("posts", "Canoe trip on the lake")]

    community.delete_post(db.session, post, writer)
    assert found(None, "canoe") == []
    assert service.rebuild_all(db.session, sources_of())["posts"] == 0


def test_a_scheduled_post_is_found_once_published(make_post, make_member):
    author = make_member(role=Role.STAFF)
    make_post("Festival line-up announced", author=author, publish_at=utcnow() + timedelta(hours=1))
    assert found(None, "festival") == [] and found(author, "festival") == []
    publish_due_posts(db.session, now=utcnow() + timedelta(hours=2))
    assert found(None, "festival") == [("posts", "Festival line-up announced")]


def test_a_stale_index_never_shows_hidden_deleted_or_unpublished_posts(make_post, reindex_all):
    hidden, deleted, pending, kept = (make_post(f"Hammock {what}") for what in ("hidden", "deleted", "pending", "kept"))
    reindex_all()
    # Changed behind the index's back (a lost job): the database says no.
    hidden.hidden_at = deleted.deleted_at = utcnow()
    pending.published_at = None
    db.session.commit()
    assert found(None, "hammock") == [("posts", "Hammock kept")]


def test_the_reindex_command_rebuilds_posts_and_questions(runner, make_post, make_idea):
    make_idea("Camp stove")
    make_post("Camp fire songs")
    make_post("Camp rules?", is_question=True)
    result = runner.invoke(args=["portal", "reindex"])
    assert result.exit_code == 0, result.output
    assert {"Indexed 1 ideas.", "Indexed 1 posts.", "Indexed 1 questions."} <= set(result.output.splitlines())


def test_an_announcements_translation_is_found_too(make_member, make_post):
    staff = make_member(role=Role.STAFF)
    make_post("Festival line-up announced", author=staff, announcement=True,
              translation="Programme du festival annoncé", translation_locale="fr")
    assert found(None, "programme") == [("posts", "Festival line-up announced")]
