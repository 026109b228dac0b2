"""Site settings (name, colours, logo), the member directory, and the demo outbox."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, BinaryIO

from flask import current_app, g
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from .. import images
from ..accounts.models import AuditEvent, User
from ..errors import ValidationError
from ..extensions import cache
from ..pagecache import invalidate
from .models import SiteSetting

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_PRIMARY = "#4338ca"
DEFAULT_ACCENT = "#db2777"
LOGO_MAX_SIDE = 256
MEMBERS_PER_PAGE = 50
SITE_KEY = "site:settings"


@dataclass(frozen=True)
class Site:
    name: str
    tagline: str
    primary: str
    accent: str
    logo: str | None

    @property
    def version(self) -> str:
        """Changes whenever the theme does, so /theme.css can be cached for long."""
        return hashlib.sha256(f"{self.primary}{self.accent}".encode()).hexdigest()[:10]


def site_settings(session: Session) -> Site:
    """The site's identity, read once per request."""
    if "site" in g:
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
    )
    g.site = site
    return site


def logo_folder() -> Path:
    return Path(current_app.instance_path) / "uploads" / "logos"


def update_site(session: Session, *, actor: User, name: str, tagline: str, primary: str, accent: str,
                logo: BinaryIO | None = None, remove_logo: bool = False) -> None:
    """Save the site's identity; the audit log records what changed."""
    errors: dict[str, list[Any]] = {}
    name = " ".join(name.split())
    if not name or len(name) > 60:
        errors["name"] = [_l("The site name needs 1 to 60 characters.")]
    tagline = " ".join(tagline.split())
    if len(tagline) > 140:
        errors["tagline"] = [_l("Keep the tagline under 140 characters.")]
    for field, value in (("primary", primary), ("accent", accent)):
        if not COLOUR.match(value or ""):
            errors[field] = [_l("Use a colour like #4338ca.")]
    encoded = None
    if logo is not None:
        config = current_app.config
        try:
            encoded = images.bounded_png(logo, max_side=LOGO_MAX_SIDE, max_bytes=config["AVATAR_MAX_BYTES"],
                                         max_pixels=config["IMAGE_MAX_PIXELS"])
        except images.ImageRejected as exc:
            errors["logo"] = [exc.args[0]]
    if errors:
        raise ValidationError(errors)
    current = {row.key: row for row in session.scalars(select(SiteSetting))}
    wanted = {"name": name, "tagline": tagline, "primary": primary.lower(), "accent": accent.lower()}
    old_logo = current["logo"].value if "logo" in current else None
    if encoded is not None:
        wanted["logo"] = images.store(logo_folder(), encoded, "png")
    elif remove_logo:
        wanted["logo"] = ""
    changed = {}
    for key, value in wanted.items():
        row = current.get(key)
        if row is None:
            session.add(SiteSetting(key=key, value=value))
            changed[key] = value
        elif row.value != value:
            row.value = value
            changed[key] = value
    if changed:
        session.add(AuditEvent(actor_id=actor.id, action="site.update", details=changed))
    session.commit()
    g.pop("site", None)
    cache.delete(SITE_KEY)
    invalidate("site")
    if old_logo and "logo" in changed:
        images.discard(logo_folder(), old_logo)


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


def audit_log(session: Session, *, limit: int = 200) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).options(selectinload(AuditEvent.actor), selectinload(AuditEvent.target_user))
                                .order_by(AuditEvent.id.desc()).limit(limit)))


@dataclass(frozen=True)
class OutboxMessage:
    name: str
    to: str
    subject: str
    sent_at: datetime | None
    text: str
    html: str


def outbox_messages(*, recipient: str | None = None, limit: int = 100) -> list[OutboxMessage]:
    """The newest messages in instance/outbox, optionally only those sent to one address."""
    from ..mail import outbox_path

    folder = outbox_path()
    if not folder.is_dir():
        return []
    found: list[OutboxMessage] = []
    for path in sorted(folder.glob("*.eml"), reverse=True):
        message = _read_eml(path)
        if recipient and message.to.lower() != recipient.lower():
            continue
        found.append(message)
        if len(found) >= limit:
            break
    return found


def outbox_message(name: str) -> OutboxMessage | None:
    from ..mail import outbox_path

    path = outbox_path() / Path(name).name
    return _read_eml(path) if path.suffix == ".eml" and path.is_file() else None


def _parse_date(value: object) -> datetime | None:
    try:
        return parsedate_to_datetime(str(value)).astimezone(UTC).replace(tzinfo=None) if value else None
    except (TypeError, ValueError):
        return None


def _read_eml(path: Path) -> OutboxMessage:
    message = message_from_bytes(path.read_bytes(), _class=EmailMessage, policy=default_policy)
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    return OutboxMessage(
        name=path.name,
        to=str(message["To"] or ""),
        subject=str(message["Subject"] or ""),
        sent_at=_parse_date(message["Date"]),
        text=text.get_content() if text else "",
        html=html.get_content() if html else "",
    )
