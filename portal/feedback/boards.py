"""Boards as admins manage them: name, address, description and categories (each in every language
the brand writes, see kernel/translatable.py), visibility, vote budget and position.

Categories come one per line. Saving keeps a category whose name is unchanged (and with it the
ideas filed under it), renames one whose line was retouched in place ("Bug" to "Bugs"), adds new
lines, and removes the rest; the ideas of a removed category are left without a category (the form says so). A
translation box is empty or has one line per category: its Nth name translates the Nth of the default-language box.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from difflib import SequenceMatcher
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..accounts.models import AuditEvent, User
from ..kernel.pagecache import invalidate
from ..kernel.text import clean_text
from ..kernel.translatable import LANGUAGE_NAMES, default_locale, joined, site_locales, split
from ..kernel.uow import after_commit, commit, use_case
from .models import DEFAULT_VOTE_BUDGET, Board, Category, Idea, Visibility
from .service import FeedbackError, refuse

SLUG_PATTERN = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?")
CATEGORIES_MAX = 20
CATEGORY_MAX = 40
Text = str | Mapping[str, str]  # one language (the default), or {code: text} from a TranslatedField
Line = tuple[str, dict[str, str]]  # a category: its default-language name and its translations


def board_form_data(board: Board | None) -> dict[str, Any]:
    """What the board form starts with: the board's values, every text in each language, categories one per line."""
    if board is None:
        return {"vote_budget": DEFAULT_VOTE_BUDGET, "position": 0, "visibility": Visibility.PUBLIC.value}
    lines = {code: "\n".join(c.name if code == default_locale() else (c.name_i18n or {}).get(code, "")
                             for c in board.categories).rstrip("\n") for code in site_locales()}
    return {"name": joined(board.name, board.name_i18n), "slug": board.slug,
            "description": joined(board.description, board.description_i18n), "visibility": board.visibility.value,
            "vote_budget": board.vote_budget, "position": board.position, "categories": lines}


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


def _category_lines(categories: Text, errors: dict[str, list[Any]]) -> list[Line]:
    """The categories asked for, in order, without repeats; each with its translations (the Nth name of a
    translation box translates the Nth name of the default-language box, blank lines aside). A translation box
    is empty or translates every category: with a line missing on one side, every later name would land on the
    wrong category."""
    names, others = split(categories)
    default_lines = [_one_line(line) for line in names.replace("\r\n", "\n").split("\n") if line.strip()]
    other_lines = {code: [_one_line(line) for line in text.replace("\r\n", "\n").split("\n") if line.strip()]
                   for code, text in others.items()}
    first = LANGUAGE_NAMES.get(default_locale(), default_locale())
    for code, lines in other_lines.items():
        if lines and len(lines) != len(default_lines):
            errors.setdefault("categories", []).append(
                _l("The %(language)s box has a different number of lines (%(count)s) than the %(default)s box (%(n)s): "
                   "translate every category, one per line in the same order, or leave the %(language)s box empty.",
                   language=LANGUAGE_NAMES.get(code, code), count=len(lines), default=first, n=len(default_lines)))
    if errors.get("categories"):
        return []
    rows: list[Line] = []
    seen: set[str] = set()
    for index, name in enumerate(default_lines):
        if name not in seen:
            seen.add(name)
            rows.append((name, {code: lines[index] for code, lines in other_lines.items() if lines}))
    if len(rows) > CATEGORIES_MAX or any(len(n) > CATEGORY_MAX or any(len(t) > CATEGORY_MAX for t in tr.values())
                                         for n, tr in rows):
        errors.setdefault("categories", []).append(
            _l("Up to %(n)s categories, each under 40 characters.", n=CATEGORIES_MAX))
    return rows


def _texts(value: Text, limit: int, errors: dict[str, list[Any]], field: str, *,
           required: bool) -> tuple[str, dict[str, str]]:
    """A translatable text, cleaned: the default language's (required when asked) and the translations."""
    text, others = split(value)
    if field == "name":
        text, others = _one_line(text), {code: _one_line(t) for code, t in others.items()}
        if not 2 <= len(text) <= limit or any(len(t) > limit for t in others.values()):
            errors.setdefault(field, []).append(_l("Give the board a name of 2 to 80 characters."))
        return text, others
    text = clean_text(text, limit, errors, field, required=required)
    return text, {code: clean_text(t, limit, errors, field, required=False) for code, t in others.items()}


def _board_fields(session: Session, board: Board | None, name: Text, slug: str, description: Text,
                  visibility: Visibility | str, vote_budget: int | None, categories: Text,
                  position: int) -> dict[str, Any]:
    """The board's fields, cleaned, or a FeedbackError listing what is wrong."""
    errors: dict[str, list[Any]] = {}
    names = _texts(name, 80, errors, "name", required=True)
    slug = (slug or "").strip().lower()
    if not SLUG_PATTERN.fullmatch(slug):
        errors.setdefault("slug", []).append(
            _l("Use 1 to 40 lower-case letters, digits and dashes, such as product-ideas."))
    elif session.scalar(select(Board.id).where(Board.slug == slug, Board.id != (board.id if board else -1))):
        errors.setdefault("slug", []).append(_l("Another board has this address."))
    descriptions = _texts(description, 500, errors, "description", required=False)
    try:
        visibility = Visibility(visibility)
    except ValueError:
        errors.setdefault("visibility", []).append(_l("Choose who may see the board."))
    if vote_budget is not None and not 1 <= vote_budget <= 1000:
        errors.setdefault("vote_budget", []).append(_l("Choose from 1 to 1,000 votes, or leave it empty for no limit."))
    if not -10_000 <= (position or 0) <= 10_000:
        errors.setdefault("position", []).append(_l("Choose a position from -10,000 to 10,000 (lower comes first)."))
    lines = _category_lines(categories, errors)
    if errors:
        raise FeedbackError(errors)
    return {"name": names, "slug": slug, "description": descriptions, "visibility": Visibility(visibility),
            "vote_budget": vote_budget, "position": position or 0, "categories": lines}


def _looks_renamed(before: str, after: str) -> bool:
    """"Bug" to "Bugs", "tents" to "Tents & tarps": the same category renamed. "Trail" to "Kids" is another one."""
    a, b = before.casefold(), after.casefold()
    return a in b or b in a or SequenceMatcher(None, a, b).ratio() >= 0.6


def _merge_categories(session: Session, board: Board, lines: list[Line]) -> None:
    """Keep the categories whose name is unchanged, rename one edited in place, add the new ones;
    the ideas of the ones removed are left without a category."""
    old = list(board.categories)
    by_name = {c.name: c for c in old}
    wanted = {name for name, _ in lines}
    used: list[Category] = []
    for index, (name, translations) in enumerate(lines):
        category = by_name.get(name)
        if (category is None and index < len(old) and old[index].name not in wanted and old[index] not in used
                and _looks_renamed(old[index].name, name)):
            category = old[index]  # the same line, retouched: a rename, so its ideas keep it
            category.name = name
        category = category or Category(name=name)
        category.name_i18n = dict(translations)
        used.append(category)
    removed = [c.id for c in old if c not in used]
    if removed:
        session.execute(update(Idea).where(Idea.category_id.in_(removed)).values(category_id=None)
                        .execution_options(synchronize_session="fetch"))
    board.categories = used


@use_case
def save_board(session: Session, actor: User, board: Board | None, *, name: Text, slug: str, description: Text,
               visibility: Visibility | str, vote_budget: int | None, categories: Text, position: int = 0) -> Board:
    """An admin creates a board or changes one (see the module's docstring for the categories)."""
    if not actor.is_admin:
        raise refuse("name", _l("Only admins can manage boards."))
    fields = _board_fields(session, board, name, slug, description, visibility, vote_budget, categories, position)
    old_slug = board.slug if board is not None else fields["slug"]
    if board is None:
        board = Board()
        session.add(board)
    (board.name, board.name_i18n), (board.description, board.description_i18n) = fields["name"], fields["description"]
    board.slug, board.visibility = fields["slug"], fields["visibility"]
    board.vote_budget, board.position = fields["vote_budget"], fields["position"]
    _merge_categories(session, board, fields["categories"])
    session.flush()
    session.add(AuditEvent(actor_id=actor.id, action="board.save", details={"board": board.id, "name": board.name}))
    # Every feedback page shows board names, and visibility decides who may read them.
    after_commit(session, invalidate, "boards", f"board:{old_slug}", f"board:{board.slug}", "roadmap",
                 "feedback-settings")
    commit(session)
    return board

