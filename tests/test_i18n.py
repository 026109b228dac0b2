"""The French catalog: complete, well-formed, compiled, and actually used.

The source is the reference: messages are extracted with Babel's own API and the
mapping in babel.cfg, so a new user-facing string without a French translation
fails here with its text. After changing strings, run `./tribune translations`,
translate what is new in portal/translations/fr/LC_MESSAGES/messages.po, then
compile (`./tribune test` compiles before running pytest).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages import frontend
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from portal.accounts.models import User

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "portal" / "translations"
FRENCH_PO = TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.po"
FRENCH_MO = FRENCH_PO.with_suffix(".mo")
KEYWORDS = {**frontend.DEFAULT_KEYWORDS, "_l": None, "lazy_pgettext": ((1, "c"), 2), "_p": ((1, "c"), 2)}  # as `./tribune translations`
COMPILE_HINT = "run `./tribune test`, or `.venv/bin/pybabel compile -d portal/translations`"

# %(name)s, %(num)d, %(size).1f …: the name and the conversion both matter.
PLACEHOLDER = re.compile(r"%\((\w+)\)[#0 +\-]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrsa]")


def _ids(message: Message) -> tuple[str, ...]:
    return tuple(message.id) if isinstance(message.id, (tuple, list)) else (message.id,)


def _strings(message: Message) -> tuple[str, ...]:
    return tuple(message.string) if isinstance(message.string, (tuple, list)) else (message.string,)


def _placeholders(text: str) -> set[tuple[str, str]]:
    return {(m.group(1), m.group(0)[-1]) for m in PLACEHOLDER.finditer(text)}


def _label(message: Message) -> str:
    return " | ".join(_ids(message))


@pytest.fixture(scope="module")
def source_catalog() -> Catalog:
    """What `pybabel extract -F babel.cfg -k _l` finds in the source today."""
    parse = getattr(frontend, "parse_mapping_cfg", None) or frontend.parse_mapping
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse(cfg)
    catalog = Catalog(locale=None)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


@pytest.fixture(scope="module")
def french() -> Catalog:
    with open(FRENCH_PO, "rb") as po:
        return read_po(po, locale="fr")


def test_extraction_sees_the_source(source_catalog: Catalog) -> None:
    """Guard against a mapping or keyword mistake that would make the next test pass on nothing."""
    ids = {message.id if isinstance(message.id, str) else message.id[0] for message in source_catalog if message.id}
    assert len(ids) > 100
    assert {"Join the community", "Settings", "Enter the site name.", "%(num)d member"} <= ids  # templates, _l, ngettext


def test_every_source_message_has_a_french_translation(source_catalog: Catalog, french: Catalog) -> None:
    missing = []
    for message in source_catalog:
        if not message.id:
            continue
        translated = french.get(message.id, message.context)
        if (
            translated is None
            or translated.fuzzy
            or not all(s and s.strip() for s in _strings(translated))
            or (message.pluralizable and len(_strings(translated)) != french.num_plurals)
            or message.pluralizable != translated.pluralizable
        ):
            missing.append(_label(message))
    assert not missing, (
        f"{len(missing)} message(s) in the source have no French translation (or a fuzzy or incomplete one). "
        "Run `./tribune translations`, then translate them in portal/translations/fr/LC_MESSAGES/messages.po:\n  "
        + "\n  ".join(sorted(missing))
    )


def test_the_french_catalog_is_clean(french: Catalog) -> None:
    assert not french.fuzzy, "the .po header is marked fuzzy"
    assert french.plural_forms == "nplurals=2; plural=(n > 1);"
    fuzzy = [_label(m) for m in french if m.id and m.fuzzy]
    assert not fuzzy, "fuzzy entries are ignored at runtime; review them and drop the flag:\n  " + "\n  ".join(fuzzy)
    problems = [f"{_label(message)}: {'; '.join(map(str, errors))}" for message, errors in french.check()]
    assert not problems, "\n".join(problems)


def test_french_translations_keep_the_placeholders(french: Catalog) -> None:
    class AnyValue(dict):
        def __missing__(self, key: str) -> int:
            return 1

    wrong = []
    for message in french:
        if not message.id:
            continue
        expected = set().union(*(_placeholders(i) for i in _ids(message)))
        for index, string in enumerate(_strings(message)):
            if not string:
                continue
            found = _placeholders(string)
            if found != expected:
                wrong.append(f"{_label(message)} [{index}]: expected {sorted(expected)}, found {sorted(found)}")
            elif expected:
                try:
                    string % AnyValue()  # what Flask-Babel does with the keyword arguments
                except (ValueError, TypeError, KeyError) as error:
                    wrong.append(f"{_label(message)} [{index}]: not a valid format string ({error})")
    assert not wrong, "French translations whose placeholders differ from the English:\n  " + "\n  ".join(wrong)


def test_the_compiled_catalog_is_current(french: Catalog) -> None:
    assert FRENCH_MO.is_file(), f"{FRENCH_MO.relative_to(ROOT)} is missing: {COMPILE_HINT}"
    assert FRENCH_MO.stat().st_mtime >= FRENCH_PO.stat().st_mtime, (
        f"{FRENCH_MO.relative_to(ROOT)} is older than messages.po: {COMPILE_HINT}"
    )
    with open(FRENCH_MO, "rb") as mo:
        compiled = {_ids(m): _strings(m) for m in read_mo(mo) if m.id}
    expected = {_ids(m): _strings(m) for m in french if m.id and not m.fuzzy and all(_strings(m))}
    stale = sorted(" | ".join(ids) for ids in set(compiled) | set(expected) if compiled.get(ids) != expected.get(ids))
    assert not stale, f"messages.mo does not match messages.po ({COMPILE_HINT}):\n  " + "\n  ".join(stale)


# The catalog in use: what members see. (conftest's client runs each request in
# its own app context, so the locale is chosen afresh for every request.)


def _page(app: Flask, client: FlaskClient, path: str, language: str) -> str:
    return client.get(path, headers={"Accept-Language": language}).get_data(as_text=True)


def _login(app: Flask, auth, user: User) -> None:
    auth.login(user)


def test_a_french_browser_gets_the_home_page_in_french(
    app: Flask, client: FlaskClient, make_member: Callable[..., User]
) -> None:
    make_member()
    make_member()
    page = _page(app, client, "/", "fr-FR,fr;q=0.9,en;q=0.5")
    assert '<html lang="fr">' in page
    assert "Rejoindre la communauté" in page
    assert "Se connecter" in page
    assert "2 membres à ce jour." in page  # ngettext with the French plural forms
    assert "Join the community" not in page


def test_an_english_browser_gets_the_home_page_in_english(app: Flask, client: FlaskClient) -> None:
    page = _page(app, client, "/", "en-GB,en;q=0.9")
    assert '<html lang="en">' in page
    assert "Join the community" in page
    assert "Rejoindre la communauté" not in page


def test_lazy_form_messages_follow_the_request_language(app: Flask, client: FlaskClient) -> None:
    """Validation messages declared with _l at import time are translated per request."""
    with app.app_context():
        response = client.post("/login", data={"email": "", "password": ""}, headers={"Accept-Language": "fr"})
    page = response.get_data(as_text=True)
    assert "Saisissez votre adresse e-mail." in page
    assert "Saisissez votre mot de passe." in page
    assert "Enter your email address." not in page


def test_a_member_who_chose_french_sees_french_whatever_the_browser(
    app: Flask, client: FlaskClient, auth, make_member: Callable[..., User]
) -> None:
    _login(app, auth, make_member(locale="fr"))
    page = _page(app, client, "/account/settings", "en")
    assert '<html lang="fr">' in page
    assert "Paramètres" in page
    assert "Enregistrer les paramètres" in page
    assert "Save settings" not in page


def test_a_member_who_chose_english_sees_english_whatever_the_browser(
    app: Flask, client: FlaskClient, auth, make_member: Callable[..., User]
) -> None:
    _login(app, auth, make_member(locale="en"))
    page = _page(app, client, "/account/settings", "fr")
    assert '<html lang="en">' in page
    assert "Save settings" in page
    assert "Enregistrer les paramètres" not in page


def test_a_member_without_a_choice_follows_the_browser(app: Flask, client: FlaskClient, auth, member: User) -> None:
    _login(app, auth, member)
    assert "Enregistrer les paramètres" in _page(app, client, "/account/settings", "fr")
    assert "Save settings" in _page(app, client, "/account/settings", "en")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_two_navigation_landmarks_have_different_names(app: Flask, client: FlaskClient, language: str) -> None:
    """The row of links and the phone's "Menu" panel are both navigation landmarks: a screen reader's list of
    landmarks must tell them apart, in each language."""
    page = _page(app, client, "/", language)
    labels = re.findall(r'<nav class="(?:menu-panel|main-nav)" aria-label="([^"]+)"', page)
    assert len(labels) == 2 and len(set(labels)) == 2, labels
