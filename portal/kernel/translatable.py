"""Text the brand writes in several languages (board names, the tagline, status explanations, announcements).

One rule everywhere: a translatable field `x` keeps its plain column `x`, written in the site's default
language (DEFAULT_LOCALE; for a post, the language it was written in), and gains a JSON column `x_i18n`
with its translations, {"fr": "..."}. Rows written before translations existed are simply in the
default language, and every query stays as it was: the translations live on the same row.

Readers call `localized(values, locale, default)` (in templates: `obj|localized("x")`), which gives the
reader's language when it was given, else the default text. Forms use `TranslatedField`, one input per
language ("English / Français"), the site's default language first.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app, has_app_context
from flask_babel import get_locale
from sqlalchemy import JSON
from sqlalchemy.orm import mapped_column
from wtforms import Field

from ..config import SUPPORTED_LOCALES

LANGUAGE_NAMES = {"en": "English", "fr": "Français"}  # each in its own language: a reader finds theirs


def default_locale() -> str:
    """The site's default language: what plain columns are written in."""
    configured = current_app.config.get("DEFAULT_LOCALE") if has_app_context() else None
    return configured if configured in SUPPORTED_LOCALES else SUPPORTED_LOCALES[0]


def site_locales() -> list[str]:
    """The languages a brand writes in, its default first."""
    first = default_locale()
    return [first, *(code for code in SUPPORTED_LOCALES if code != first)]


def reader_locale() -> str:
    """The reader's language (in mail: the recipient's, set by force_locale)."""
    locale = get_locale() if has_app_context() else None
    return str(locale) if locale else default_locale()


def localized(values: Mapping[str, str] | None, locale: str | None = None, default: str = "") -> str:
    """The text in `locale` (the reader's by default) when given, else `default` (the default language),
    else any translation there is (a text given only in another language beats an empty one)."""
    values = values or {}
    text = values.get(locale or reader_locale()) or default
    return text or next((v for v in values.values() if v), "")


def localized_attr(obj: Any, field: str, locale: str | None = None) -> str:
    """`obj.field` in the reader's language, from `obj.field_i18n`: the jinja filter `localized`."""
    return localized(getattr(obj, f"{field}_i18n", None), locale, getattr(obj, field, "") or "")


def split(value: str | Mapping[str, str] | None) -> tuple[str, dict[str, str]]:
    """What a form sent, as (text in the default language, {other language: text}); empty ones dropped.

    A plain string is the default language alone (the CLI, the demo and older callers)."""
    if value is None or isinstance(value, str):
        return value or "", {}
    first = default_locale()
    others = {code: text for code, text in value.items()
              if code != first and code in SUPPORTED_LOCALES and (text or "").strip()}
    return value.get(first) or "", others


def joined(default: str, translations: Mapping[str, str] | None) -> dict[str, str]:
    """The opposite of split: every language's text, for filling a TranslatedField."""
    return {code: (default if code == default_locale() else (translations or {}).get(code, "")) for code in site_locales()}


class TranslatedField(Field):
    """One text input per language, sent as `<name>-<code>`; its data is {code: text}."""

    def __init__(self, label: Any = None, validators: Any = None, *, textarea: bool = False, maxlength: int | None = None,
                 rows: int = 3, **kwargs: Any) -> None:
        super().__init__(label, validators, **kwargs)
        self.textarea, self.maxlength, self.rows = textarea, maxlength, rows

    def process(self, formdata: Any, data: Any = None, extra_filters: Any = None) -> None:
        self.process_errors, self.raw_data = [], []
        if formdata is not None and any(f"{self.name}-{code}" in formdata for code in SUPPORTED_LOCALES):
            self.data = {code: formdata.get(f"{self.name}-{code}", "") for code in site_locales()}
        elif formdata is not None and self.name in formdata:  # one text, as a script or an older form sends it
            self.data = joined(formdata.get(self.name, ""), None)
        elif isinstance(data, Mapping):
            self.data = {code: data.get(code, "") or "" for code in site_locales()}
        else:
            self.data = joined(data if isinstance(data, str) else "", None)
        self.object_data = self.data

    def _value(self) -> str:
        return self.data.get(default_locale(), "") if self.data else ""

    def inputs(self) -> list[dict[str, Any]]:
        """What the template draws: one labelled input per language, the default first."""
        return [{"code": code, "language": LANGUAGE_NAMES.get(code, code), "name": f"{self.name}-{code}",
                 "id": f"{self.id}-{code}", "value": (self.data or {}).get(code, ""), "default": code == default_locale()}
                for code in site_locales()]


def translations_column() -> Any:
    """The `x_i18n` column beside a translatable `x`: {code: text}, empty for rows in the default language only.
    Always assign a new dict (a change inside the dict is not tracked)."""
    return mapped_column(JSON, default=dict, server_default="{}")
