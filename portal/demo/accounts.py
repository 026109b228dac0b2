"""The demo's site and people: Fernhill's name and colours, its staff and moderators, and
about two hundred members (a few unconfirmed), about half of them with a generated avatar.

Sign-up, role changes and the admin's site form are use cases that commit (and sign-up mails),
so the demo adds the rows itself: with the handles sign-up would pick (`free_username`), avatars
encoded with the limits of an upload, the audit trail an admin's role changes leave, and the
site settings forgotten once committed (`forget_site`), as the site form does.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from werkzeug.security import generate_password_hash

from ..accounts.models import AuditEvent, Role, User
from ..accounts.registration import free_username  # not in accounts.service yet: asked
from ..accounts.validation import initials
from ..kernel.site import SiteSetting, forget_site
from ..kernel.uow import after_commit
from . import pictures
from .kit import Cast, Demo, data

# (role, email, password): printed by `flask portal demo`, and used by the tests and the README.
SIGN_INS = [
    ("admin", "admin@fernhill.example", "fernhill-admin-demo"),
    ("staff", "camille.staff@fernhill.example", "fernhill-staff-demo"),
    ("moderator", "sam.moderator@fernhill.example", "fernhill-moderator-demo"),
    ("member", "alex.martin@example.com", "fernhill-member-demo"),
]
ADMIN_EMAIL = SIGN_INS[0][1]
MEMBER_COUNT = 200


def build(demo: Demo) -> None:
    """The site's identity, then everyone, for the builders after this one (`demo.cast`)."""
    texts = data("accounts")
    for key, value in texts["site"].items():
        demo.session.merge(SiteSetting(key=key, value=value))
    after_commit(demo.session, forget_site)
    demo.cast = _people(demo, texts)


def _people(demo: Demo, texts: dict[str, Any]) -> Cast:
    rng, now, session = demo.rng, demo.now, demo.session
    emails = {role: email for role, email, _password in SIGN_INS}
    hashes = {role: generate_password_hash(password) for role, _email, password in SIGN_INS}
    made = now - timedelta(days=texts["admin"]["days"])
    admin = User(email=ADMIN_EMAIL, display_name=texts["admin"]["display_name"], password_hash=hashes["admin"],
                 role=Role.ADMIN, bio=texts["admin"]["bio"], email_verified_at=made, created_at=made)
    staff = []
    for person in texts["staff"]:
        role = Role(person["role"])
        staff.append(User(email=person.get("email") or emails[person["sign_in"]], display_name=person["display_name"],
                          role=role, password_hash=hashes[role.value], bio=person["bio"], locale=person.get("locale")))
    for person in staff:
        person.created_at = _joined(rng, now, 500)
        person.email_verified_at = person.created_at + timedelta(minutes=5)
    bios: list[str] = texts["bios"]
    alex = texts["member"]
    made = now - timedelta(days=alex["days"])
    members = [User(email=emails[alex["sign_in"]], display_name=alex["display_name"], password_hash=hashes["member"],
                    bio=bios[0], created_at=made, email_verified_at=made)]
    seen = {members[0].email}
    while len(members) < MEMBER_COUNT:
        first, last = rng.choice(texts["first_names"]), rng.choice(texts["last_names"])
        email = f"{first}.{last}".lower().translate(str.maketrans("éèüö", "eeuo")) + f"{rng.randint(1, 99)}@example.com"
        if email in seen:
            continue
        seen.add(email)
        created = _joined(rng, now, 520)
        members.append(User(
            email=email, display_name=f"{first} {last}", password_hash=hashes["member"], bio=rng.choice(bios),
            created_at=created, locale=rng.choice([None, None, None, "fr", "en"]),
            email_verified_at=None if rng.random() < 0.06 else created + timedelta(minutes=rng.randint(1, 90)),
            email_notifications=rng.random() > 0.2,
        ))
    cast = Cast(admin, staff, members)
    for person in cast.everyone:  # one at a time: each handle must see the ones taken before it
        person.username = free_username(session, person.display_name.replace("(Fernhill)", ""))
        session.add(person)
    for person in cast.everyone:
        if person is admin or rng.random() < 0.45:
            person.avatar = demo.store("avatars", pictures.avatar(rng, initials(person.display_name)), "webp")
    session.flush()
    for person in staff:  # as an admin's role change records it
        session.add(AuditEvent(actor_id=admin.id, target_user_id=person.id, action="role.change",
                               details={"from": Role.MEMBER.value, "to": person.role.value}, created_at=person.created_at))
    return cast


def _joined(rng: random.Random, now: datetime, days: int) -> datetime:
    return now - timedelta(days=rng.uniform(1, days), minutes=rng.randint(0, 1439))
