"""The audit log read as sentences in the reader's language, newest first, filtered and paged.

Entries name what changed by kind and id in their details ({"post": 12}, {"idea": 7}, {"board": 3}).
Admin sits below the features that own posts and ideas, so it cannot read them itself: a feature above
registers a lookup per kind (`register_target`), and a page asks each lookup once for all the ids it
shows. A page costs the same few statements whatever it holds.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..accounts.models import AuditEvent, User

EXTENSION = "tribune.audit_targets"
PER_PAGE = 50


@dataclass(frozen=True)
class Target:
    """What an entry points at: its name as readers know it, its page, and who wrote it."""

    label: str
    url: str | None = None
    author: str | None = None


TargetLookup = Callable[[Session, set[int]], dict[int, Target]]

# Every action the log knows, as a filter label; `_sentence` says each one in words.
ACTIONS: dict[str, Any] = {
    "role.change": _l("Role changes"),
    "site.update": _l("Site settings"),
    "content.hide": _l("Posts and comments hidden"),
    "content.restore": _l("Posts and comments restored"),
    "member.suspend": _l("Suspensions"),
    "member.unsuspend": _l("Suspensions lifted"),
    "idea.hide": _l("Ideas hidden"),
    "idea.restore": _l("Ideas restored"),
    "board.save": _l("Boards saved"),
    "fans.settings": _l("Fans weights and tiers"),
    "fans.pin": _l("Fan tiers pinned"),
    "fans.unpin": _l("Fan tiers unpinned"),
    "fans.void": _l("Fan points voided"),
}
# The tiers as audit entries name them (the details keep the value: "superfan").
TIER_NAMES: dict[str, Any] = {"member": _l("member"), "fan": _l("fan"), "superfan": _l("superfan")}


def register_target(app: Flask, kind: str, lookup: TargetLookup) -> None:
    """A feature says how to name and link the `kind` of thing its audit entries point at."""
    app.extensions.setdefault(EXTENSION, {})[kind] = lookup


@dataclass(frozen=True)
class AuditPage:
    entries: list[tuple[AuditEvent, Markup]]
    total: int
    page: int
    pages: int
    actors: list[User]


def audit_page(session: Session, *, actor_id: int | None = None, action: str = "", page: int = 1,
               role_labels: dict[Any, Any] | None = None, field_label: Callable[[str], Any] = str) -> AuditPage:
    """One page of the log, newest first, each entry with its sentence."""
    conditions = []
    if actor_id:
        conditions.append(AuditEvent.actor_id == actor_id)
    if action:
        conditions.append(AuditEvent.action == action)
    total = session.scalar(select(func.count(AuditEvent.id)).where(*conditions)) or 0
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(page, 1), pages)
    events = list(session.scalars(
        select(AuditEvent).where(*conditions).options(selectinload(AuditEvent.actor), selectinload(AuditEvent.target_user))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(PER_PAGE).offset((page - 1) * PER_PAGE)))
    targets = _targets(session, events)
    actors = list(session.scalars(select(User).where(User.id.in_(select(AuditEvent.actor_id).distinct()))
                                  .order_by(User.display_name, User.id)))
    context = _Context(targets, role_labels or {}, field_label)
    return AuditPage(entries=[(event, context.sentence(event)) for event in events], total=total, page=page,
                     pages=pages, actors=actors)


def _targets(session: Session, events: list[AuditEvent]) -> dict[tuple[str, int], Target]:
    """Every post, comment, idea and board the page names, one statement per kind."""
    lookups: dict[str, TargetLookup] = current_app.extensions.get(EXTENSION, {})
    wanted: dict[str, set[int]] = {}
    for event in events:
        for kind in lookups:
            value = (event.details or {}).get(kind)
            if isinstance(value, int):
                wanted.setdefault(kind, set()).add(value)
    found: dict[tuple[str, int], Target] = {}
    for kind, ids in wanted.items():
        found.update({(kind, key): target for key, target in lookups[kind](session, ids).items()})
    return found


def _link(text: str, url: str | None) -> Markup:
    return Markup('<a href="{}">{}</a>').format(url, text) if url else escape(text)


@dataclass
class _Context:
    targets: dict[tuple[str, int], Target]
    role_labels: dict[Any, Any]
    field_label: Callable[[str], Any]

    def target(self, event: AuditEvent, kind: str) -> Target | None:
        value = (event.details or {}).get(kind)
        return self.targets.get((kind, value)) if isinstance(value, int) else None

    def sentence(self, event: AuditEvent) -> Markup:
        """The entry in words, with links to the people and the things it names."""
        actor = event.actor
        who = _link(actor.public_name, url_for("accounts.member", user_id=actor.id)) if actor else escape(_("Command line"))
        member = event.target_user
        args: dict[str, Any] = {"actor": who, "member": _link(member.public_name, url_for("accounts.member", user_id=member.id))
                                if member else escape(_("a deleted member"))}
        details = event.details or {}
        post, comment, idea = self.target(event, "post"), self.target(event, "comment"), self.target(event, "idea")
        board = self.target(event, "board")
        gone = _("(deleted)")
        if event.action == "role.change":
            args.update(old=self.role_labels.get(details.get("from"), details.get("from")),
                        new=self.role_labels.get(details.get("to"), details.get("to")))
            text = _("%(actor)s changed the role of %(member)s from %(old)s to %(new)s")
        elif event.action == "site.update":
            args["fields"] = _link(", ".join(str(self.field_label(key)) for key in details), url_for("admin.site"))
            text = _("%(actor)s changed the site settings: %(fields)s")
        elif event.action in ("content.hide", "content.restore") and details.get("comment"):
            args["title"] = _link(comment.label, comment.url) if comment else gone
            text = (_("%(actor)s hid a comment by %(member)s on “%(title)s”") if event.action == "content.hide"
                    else _("%(actor)s restored a comment by %(member)s on “%(title)s”"))
        elif event.action in ("content.hide", "content.restore"):
            args["title"] = _link(post.label, post.url) if post else gone
            text = (_("%(actor)s hid the post “%(title)s” by %(member)s") if event.action == "content.hide"
                    else _("%(actor)s restored the post “%(title)s” by %(member)s"))
        elif event.action in ("idea.hide", "idea.restore"):
            args["title"] = _link(idea.label, idea.url) if idea else gone
            text = (_("%(actor)s hid the idea “%(title)s” by %(member)s") if event.action == "idea.hide"
                    else _("%(actor)s restored the idea “%(title)s” by %(member)s"))
        elif event.action == "member.suspend":
            args.update(days=details.get("days", "?"), reason=details.get("reason", ""))
            text = _("%(actor)s suspended %(member)s for %(days)s days: %(reason)s")
        elif event.action == "member.unsuspend":
            text = _("%(actor)s lifted the suspension of %(member)s")
        elif event.action == "board.save":
            args["title"] = _link(board.label, board.url) if board else escape(details.get("name", gone))
            text = _("%(actor)s saved the board “%(title)s”")
        elif event.action == "fans.settings":
            changed = [name.replace("_", " ") for name in details.get("settings") or {}]
            args["fields"] = _link(", ".join(changed) if changed else _("weights"), url_for("fans_admin.settings"))
            text = _("%(actor)s changed the fans weights and tier settings: %(fields)s")
        elif event.action == "fans.pin":
            args.update(tier=TIER_NAMES.get(details.get("tier"), details.get("tier", "?")), reason=details.get("reason", ""))
            text = _("%(actor)s pinned %(member)s to the %(tier)s tier: %(reason)s")
        elif event.action == "fans.unpin":
            args["reason"] = details.get("reason", "")
            text = _("%(actor)s unpinned the tier of %(member)s: %(reason)s")
        elif event.action == "fans.void":
            args.update(starts=details.get("starts", "?"), ends=details.get("ends", "?"), reason=details.get("reason", ""),
                        count=details.get("events", 0))
            text = _("%(actor)s voided the points of %(member)s from %(starts)s to %(ends)s (%(count)s contributions): "
                     "%(reason)s")
        else:
            args["action"] = event.action
            text = _("%(actor)s: %(action)s")
        return escape(text) % {key: _safe(value) for key, value in args.items()}


def _safe(value: Any) -> Markup:
    return value if isinstance(value, Markup) else escape(str(value))
