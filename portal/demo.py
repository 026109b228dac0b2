"""The demo community: the same people every time (a seeded random generator).

Each feature adds a builder to `BUILDERS`; `load` runs them in order inside one
transaction, so a half-loaded demo never exists.
"""
from __future__ import annotations

import io
import random
from datetime import datetime, timedelta
from typing import Callable

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from . import images
from .accounts import service as accounts
from .accounts.models import AuditEvent, Role, User, handle_from
from .admin.models import SiteSetting
from .demo_community import build_community
from .demo_feedback import build_feedback
from .extensions import cache
from .timeutil import utcnow

ADMIN_EMAIL = "admin@fernhill.example"
SIGN_INS = [
    ("admin", ADMIN_EMAIL, "fernhill-admin-demo"),
    ("staff", "camille.staff@fernhill.example", "fernhill-staff-demo"),
    ("moderator", "sam.moderator@fernhill.example", "fernhill-moderator-demo"),
    ("member", "alex.martin@example.com", "fernhill-member-demo"),
]
MEMBER_COUNT = 200

FIRST_NAMES = [
    "Alex", "Camille", "Sam", "Léa", "Hugo", "Chloé", "Noah", "Emma", "Lucas", "Manon", "Jules", "Inès", "Louis", "Sarah",
    "Gabriel", "Zoé", "Arthur", "Alice", "Nathan", "Jade", "Maya", "Ethan", "Olivia", "Liam", "Ava", "Mia", "Leo", "Nora",
    "Theo", "Iris", "Adam", "Lina", "Oscar", "Rose", "Eliott", "Anna", "Victor", "Clara", "Max", "Juliette", "Priya",
    "Kenji", "Amara", "Diego", "Sofia", "Yusuf", "Hana", "Mateo",
]
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre",
    "Michel", "Garcia", "Roux", "Fournier", "Smith", "Johnson", "Brown", "Taylor", "Wilson", "Davies", "Evans", "Walker",
    "Wright", "Green", "Hall", "Wood", "Clarke", "Patel", "Nguyen", "Kowalski", "Rossi", "Müller", "Silva", "Okafor",
]
BIOS = [
    "Weekend hiker, weekday spreadsheet wrangler. Fernhill boots since 2019.",
    "Trail runner. Always testing the next jacket in the rain.",
    "I camp with two kids and a dog, so gear has to survive everything.",
    "Alpine photographer. Ask me about keeping batteries warm.",
    "Randonneuse du dimanche, fan de la veste Ridge depuis le début.",
    "Bikepacking through the Alps one summer at a time.",
    "Gear nerd. I read seam-tape specs for fun.",
    "Grimpeur et café noir. Toujours partant pour tester un prototype.",
    "Scout leader; thirty kids, thirty pairs of Fernhill socks.",
    "",
]
PALETTE = ["#1f6f4a", "#e07a1f", "#3b5bdb", "#c2255c", "#0c8599", "#5f3dc4", "#e8590c", "#2b8a3e", "#862e9c", "#1864ab"]

Builder = Callable[[Session, random.Random, dict[str, object]], None]


def _avatar(rng: random.Random, initials: str) -> bytes:
    """A generated avatar: initials on a coloured disc, like the ones apps make."""
    size = 256
    image = Image.new("RGB", (size, size), "#f1f3f5")
    draw = ImageDraw.Draw(image)
    draw.ellipse((0, 0, size, size), fill=rng.choice(PALETTE))
    try:
        font = ImageFont.truetype("DejaVuSans-Bold.ttf", 104)
    except OSError:
        font = ImageFont.load_default(size=104)
    draw.text((size / 2, size / 2), initials, fill="white", font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, "PNG")
    out.seek(0)
    return images.square_webp(out, side=accounts.AVATAR_SIDE, max_bytes=10**7, max_pixels=10**7)


def _when(rng: random.Random, now: datetime, days: int) -> datetime:
    return now - timedelta(days=rng.uniform(1, days), minutes=rng.randint(0, 1439))


def build_site(session: Session, rng: random.Random, ctx: dict[str, object]) -> None:
    for key, value in {"name": "Fernhill Community", "tagline": "Where Fernhill fans shape the gear we make next.",
                       "primary": "#1f6f4a", "accent": "#e07a1f"}.items():
        session.merge(SiteSetting(key=key, value=value))


def build_people(session: Session, rng: random.Random, ctx: dict[str, object]) -> None:
    now = utcnow()
    hashes = {role: generate_password_hash(password) for role, _email, password in SIGN_INS}
    folder = accounts.avatar_folder()
    admin = User(email=ADMIN_EMAIL, display_name="Morgan (Fernhill)", password_hash=hashes["admin"], role=Role.ADMIN,
                 bio="Head of community at Fernhill.", email_verified_at=now - timedelta(days=540),
                 created_at=now - timedelta(days=540))
    staff = [
        User(email=SIGN_INS[1][1], display_name="Camille (Fernhill)", role=Role.STAFF, password_hash=hashes["staff"],
             bio="Community manager. I answer your questions every weekday.", locale="fr"),
        User(email="jordan.staff@fernhill.example", display_name="Jordan (Fernhill)", role=Role.STAFF,
             password_hash=hashes["staff"], bio="Product manager, footwear."),
        User(email="priya.staff@fernhill.example", display_name="Priya (Fernhill)", role=Role.STAFF,
             password_hash=hashes["staff"], bio="Product manager, jackets and shells."),
        User(email=SIGN_INS[2][1], display_name="Sam Okafor", role=Role.MODERATOR, password_hash=hashes["moderator"],
             bio="Volunteer moderator. Be kind, stay on trail."),
        User(email="lea.moderator@fernhill.example", display_name="Léa Rossi", role=Role.MODERATOR,
             password_hash=hashes["moderator"], bio="Modératrice bénévole.", locale="fr"),
    ]
    for person in staff:
        person.created_at = _when(rng, now, 500)
        person.email_verified_at = person.created_at + timedelta(minutes=5)
    members = [User(email=SIGN_INS[3][1], display_name="Alex Martin", password_hash=hashes["member"],
                    bio=BIOS[0], created_at=now - timedelta(days=400), email_verified_at=now - timedelta(days=400))]
    seen = {SIGN_INS[3][1]}
    while len(members) < MEMBER_COUNT:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = f"{first}.{last}".lower().translate(str.maketrans("éèüö", "eeuo")) + f"{rng.randint(1, 99)}@example.com"
        if email in seen:
            continue
        seen.add(email)
        created = _when(rng, now, 520)
        members.append(User(
            email=email, display_name=f"{first} {last}", password_hash=hashes["member"], bio=rng.choice(BIOS),
            created_at=created, locale=rng.choice([None, None, None, "fr", "en"]),
            email_verified_at=None if rng.random() < 0.06 else created + timedelta(minutes=rng.randint(1, 90)),
            email_notifications=rng.random() > 0.2,
        ))
    everyone = [admin, *staff, *members]
    handles: set[str] = set()
    for person in everyone:
        base = handle_from(person.display_name.replace("(Fernhill)", ""))
        handle, number = base, 2
        while handle in handles:
            handle, number = f"{base}{number}", number + 1
        handles.add(handle)
        person.username = handle
    for person in everyone:
        if person is admin or rng.random() < 0.45:
            initials = "".join(part[0] for part in person.display_name.split()[:2]).upper()
            person.avatar = images.store(folder, _avatar(rng, initials), "webp")
    session.add_all(everyone)
    session.flush()
    for person in staff:
        session.add(AuditEvent(actor_id=admin.id, target_user_id=person.id, action="role.change",
                               details={"from": "member", "to": person.role.value}, created_at=person.created_at))
    ctx.update(admin=admin, staff=staff, members=members)


BUILDERS: list[Builder] = [build_site, build_people, build_community, build_feedback]


def load(session: Session, seed: int = 2026) -> bool:
    """Build the demo community unless it is there already. Returns whether it built it."""
    if session.scalar(select(User.id).where(User.email == ADMIN_EMAIL)) is not None:
        return False
    rng = random.Random(seed)
    ctx: dict[str, object] = {}
    try:
        for builder in BUILDERS:
            builder(session, rng, ctx)
        session.commit()
        cache.clear()
    except Exception:
        session.rollback()
        raise
    from .search.service import reindex

    reindex(session)  # the ideas were written directly, so no job queued their index entries
    return True
