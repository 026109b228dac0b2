"""The site's identity (name, tagline, colours, logo), as admins set it: read by every page and email.

The tagline is translatable (kernel/translatable.py): "tagline" in the default language, its
translations as JSON in the "tagline_i18n" row; pages show `site|localized("tagline")`.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from flask import current_app, g, has_app_context
from sqlalchemy import String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..extensions import cache, db

DEFAULT_PRIMARY = "#4338ca"
DEFAULT_ACCENT = "#db2777"
SITE_KEY = "site:settings"


class SiteSetting(db.Model):
    __tablename__ = "site_settings"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


@dataclass(frozen=True)
class Site:
    name: str
    tagline: str
    primary: str
    accent: str
    logo: str | None
    tagline_i18n: dict[str, str] = field(default_factory=dict)

    @property
    def version(self) -> str:
        """Changes whenever the theme does, so /theme.css can be cached for long."""
        return hashlib.sha256(f"{self.primary}{self.accent}".encode()).hexdigest()[:10]


def site_settings(session: Session) -> Site:
    """The site's identity, read once per request (and kept in the cache between requests)."""
    if has_app_context() and "site" in g:
        return g.site
    values = cache.get(SITE_KEY)
    if values is None:
        values = dict(session.execute(select(SiteSetting.key, SiteSetting.value)).all())
        cache.set(SITE_KEY, values, timeout=0)
    site = Site(
        name=values.get("name") or current_app.config["SITE_NAME"],
        tagline=values.get("tagline", ""),
        primary=values.get("primary") or DEFAULT_PRIMARY,
        accent=values.get("accent") or DEFAULT_ACCENT,
        logo=values.get("logo") or None,
        tagline_i18n=_translations(values.get("tagline_i18n")),
    )
    g.site = site
    return site


def _translations(stored: str | None) -> dict[str, str]:
    """A JSON {code: text} row; anything else (a row edited by hand) is no translation."""
    try:
        value = json.loads(stored or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def forget_site() -> None:
    """After the settings changed: this request and every worker read them again."""
    g.pop("site", None)
    cache.delete(SITE_KEY)
