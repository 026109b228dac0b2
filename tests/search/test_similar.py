"""Similar ideas while a title is typed find ideas written in either language, whatever the reader's.

Every idea is indexed with the English and the French analyzer and every stem of a typed word is
looked for in both, accents folded: a French title finds French ideas and an English one English
ideas; words whose stems the two languages share meet ("électrique" and "electric", "tente" and
"tent"); nothing is translated ("vélo" never finds "bike", "imperméable" never "waterproof").
"""
from __future__ import annotations

import pytest

from portal.extensions import db
from portal.search import service, sources_of

FRENCH_BIKES, ENGLISH_BIKES = "Vélos électriques pour les randonnées", "Electric bike charging at the campsite"
FRENCH_COAT, ENGLISH_COAT = "Imperméable léger pour la pluie", "Waterproof jacket for rainy days"


def similar_titles(viewer, title: str) -> list[str]:
    return sorted(idea.title for idea in service.similar(db.session, sources_of(), "ideas", viewer, title))


@pytest.fixture
def ideas(make_idea, reindex):
    for title in (FRENCH_BIKES, ENGLISH_BIKES, FRENCH_COAT, ENGLISH_COAT):
        make_idea(title)
    reindex()


@pytest.mark.parametrize(("title", "expected"), [
    ("randonnée à vélo", [FRENCH_BIKES]),
    ("un imperméable", [FRENCH_COAT]),
    ("les imperméables légers", [FRENCH_COAT]),
    ("jackets", [ENGLISH_COAT]),
    ("bikes", [ENGLISH_BIKES]),
])
def test_a_title_finds_ideas_in_its_own_language(ideas, title, expected):
    assert similar_titles(None, title) == expected


def test_words_both_languages_stem_alike_find_ideas_in_the_other_language(ideas):
    assert similar_titles(None, "electrique") == sorted([FRENCH_BIKES, ENGLISH_BIKES]), "without its accents too"
    assert similar_titles(None, "vélo électrique") == sorted([FRENCH_BIKES, ENGLISH_BIKES])
    assert similar_titles(None, "electric") == sorted([FRENCH_BIKES, ENGLISH_BIKES])


def test_nothing_is_translated(ideas):
    assert similar_titles(None, "vélo") == [FRENCH_BIKES]
    assert similar_titles(None, "imperméable") == [FRENCH_COAT]
    assert similar_titles(None, "waterproof") == [ENGLISH_COAT]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_readers_language_changes_nothing(client, ideas, language):
    headers = {"Accept-Language": language}
    french = client.get("/ideas/similar?title=imperméables+légers", headers=headers).get_data(as_text=True)
    english = client.get("/ideas/similar?title=waterproof+jackets", headers=headers).get_data(as_text=True)
    assert FRENCH_COAT in french and ENGLISH_COAT not in french
    assert ENGLISH_COAT in english and FRENCH_COAT not in english
