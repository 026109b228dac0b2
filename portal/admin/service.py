"""The site's identity as admins change it, and the member directory."""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..accounts.models import AuditEvent, User
from ..kernel import images
from ..kernel.errors import ValidationError
from ..kernel.pagecache import invalidate
from ..kernel.site import SiteSetting, forget_site
from ..kernel.translatable import split
from ..kernel.uow import after_commit, commit, use_case

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
LOGO_MAX_SIDE = 256
MEMBERS_PER_PAGE = 50


class SiteChangeRefused(Exception):
    """Someone who is not an admin tried to change the site's identity (the admin pages answer 403)."""


def _checked_identity(name: str, tagline: str | Mapping[str, str], primary: str, accent: str,
                      logo: BinaryIO | None) -> tuple[str, str, dict[str, str], bytes | None]:
    """The tidied name, tagline (and its translations) and the re-encoded logo, or one ValidationError with every problem."""
    errors: dict[str, list[Any]] = {}
    name = " ".join(name.split())
    if not name or len(name) > 60:
        errors["name"] = [_l("The site name needs 1 to 60 characters.")]
    tagline, translations = split(tagline)
    tagline, translations = " ".join(tagline.split()), {code: " ".join(t.split()) for code, t in translations.items()}
    if any(len(text) > 140 for text in (tagline, *translations.values())):
        errors["tagline"] = [_l("Keep the tagline under 140 characters.")]
    for field, value in (("primary", primary), ("accent", accent)):
        if not COLOUR.match(value or ""):
            errors[field] = [_l("Use a colour like #4338ca.")]
    encoded = None
    if logo is not None:
        try:
            encoded = images.bounded_png(logo, max_side=LOGO_MAX_SIDE, **images.limits("logos"))
        except images.ImageRejected as exc:
            errors["logo"] = [exc.args[0]]
    if errors:
        raise ValidationError(errors)
    return name, tagline, translations, encoded


@use_case
def update_site(session: Session, *, actor: User, name: str, tagline: str | Mapping[str, str], primary: str, accent: str,
                logo: BinaryIO | None = None, remove_logo: bool = False) -> None:
    """Save the site's identity (the tagline in one language, or {code: text} for each); the audit log records what changed."""
    if not actor.is_admin:
        raise SiteChangeRefused()
    name, tagline, translations, encoded = _checked_identity(name, tagline, primary, accent, logo)
    current = {row.key: row for row in session.scalars(select(SiteSetting))}
    wanted = {"name": name, "tagline": tagline, "tagline_i18n": json.dumps(translations, ensure_ascii=False, sort_keys=True),
              "primary": primary.lower(), "accent": accent.lower()}
    old_logo = current["logo"].value if "logo" in current else None
    new_logo = images.store("logos", encoded, "png") if encoded is not None else None
    if new_logo is not None:
        wanted["logo"] = new_logo
    elif remove_logo:
        wanted["logo"] = ""
    changed = {}
    for key, value in wanted.items():
        row = current.get(key)
        if row is None and key == "tagline_i18n" and value == "{}":
            continue  # no translations, as before: nothing to record
        if row is None:
            session.add(SiteSetting(key=key, value=value))
            changed[key] = value
        elif row.value != value:
            row.value = value
            changed[key] = value
    if changed:
        session.add(AuditEvent(actor_id=actor.id, action="site.update", details=changed))
    after_commit(session, forget_site)
    after_commit(session, invalidate, "site")
    if old_logo and "logo" in changed:
        after_commit(session, images.discard, "logos", old_logo)
    try:
        commit(session)
    except Exception:
        images.discard("logos", new_logo)  # the file of a change that was never saved
        raise


def list_members(session: Session, *, query: str = "", role: str = "", page: int = 1) -> tuple[list[User], int]:
    """Members for the admin directory, newest first, with the total for paging."""
    conditions = [User.deleted_at.is_(None)]
    if query:
        like = f"%{query.strip().lower()}%"
        conditions.append(or_(User.email.like(like), func.lower(User.display_name).like(like)))
    if role:
        conditions.append(User.role == role)
    total = session.scalar(select(func.count(User.id)).where(*conditions)) or 0
    rows = session.scalars(select(User).where(*conditions).order_by(User.id.desc())
                           .limit(MEMBERS_PER_PAGE).offset((max(page, 1) - 1) * MEMBERS_PER_PAGE))
    return list(rows), total

