"""The demo community's network: posts with generated photos, questions, comments, likes, follows.

Rows are written directly (the services would re-render and re-check every line), but
with everything the services keep: stored counters, engagement events, hashtags, and
notifications with their unread counters, so the demo looks and scores like real use.
"""
from __future__ import annotations

import io
import random
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, url_for
from PIL import Image, ImageDraw, ImageFilter
from sqlalchemy.orm import Session

from . import images
from .accounts.models import User
from .community import markup
from .community.models import (
    Comment,
    CommentLike,
    Follow,
    Hashtag,
    Notification,
    NotificationKind,
    Photo,
    Post,
    PostHashtag,
    PostLike,
)
from .community.service import PHOTO_MAX_SIDE, THUMB_SIDE, photo_folder
from .fans.models import EngagementEvent
from .timeutil import utcnow

POSTS = [
    "Took the Ridge jacket up to the lakes this weekend. Four hours of drizzle and I stayed dry. #ridgejacket #trail",
    "First night out with the kids in the Meadow 3 tent. Nobody fell out of it, which counts as a win. #camping #fernhillfamily",
    "Tip: rinse your shell after a salty coast walk and tumble it on low for ten minutes; the DWR comes back. #gearcare",
    "Sunrise from the col this morning. Worth the 4 a.m. alarm. #trail",
    "Bikepacking the old railway line: 180 km, two punctures, zero regrets. #bikepacking",
    "Ma veste Ridge a maintenant cinq ans et elle tient toujours. Merci l'équipe ! #ridgejacket",
    "Loving the new colours in the spring range. The moss green is perfect. #fernhillfamily",
    "Packed list for a three-day hut trip, all under 7 kg. Happy to share the spreadsheet. #trail #ultralight",
    "Our scout troop tried the repair kit workshop; thirty kids now know how to patch a sleeping mat. #gearcare",
    "Rain, wind, hail, then sun, all in one afternoon on the ridge. Layers did their job. #trail",
    "The Alpine 40 pack fits my short back perfectly; thank you for the S size. #ultralight",
    "Sortie vélo + bivouac au bord du lac, nuit magique. #bikepacking #camping",
    "Which wax do you use for leather boots? Mine are getting thirsty. #gearcare",
    "Three seasons in, the Summit socks have no holes. I'm impressed. #fernhillfamily",
    "Foggy forest run before work. Nothing beats it. #trail",
]
QUESTIONS = [
    "Does the Ridge jacket run small? I'm between M and L. #ridgejacket",
    "Can I wash the down vest in a normal machine? #gearcare",
    "Is there a repair service for broken tent poles? #camping",
    "Will the Alpine 40 come back in the blue colour? #ultralight",
    "Quelle taille pour les chaussures Trail Pro, je fais du 43 habituellement ?",
    "What temperature is the Meadow sleeping bag really good for? #camping",
    "How long does the warranty last on the packs?",
    "Is the bikepacking frame bag waterproof or just water-resistant? #bikepacking",
]
COMMENTS = [
    "Great shot!", "Same experience here, it's a great piece of kit.", "Thanks for the tip, I'll try it.",
    "Where was this taken?", "That looks amazing.", "Superbe photo !", "I had the same question.",
    "Agreed, the fit is spot on.", "Brilliant, thanks for sharing.", "Adding this to my list for the summer.",
    "How did it hold up in the wind?", "Merci pour le partage !", "Love it.", "This made my day.",
]
STAFF_ANSWERS = [
    "Good question! It runs true to size; if you layer a thick fleece under it, take the larger one.",
    "Yes: 30 °C, gentle cycle, down wash only, then tumble dry low with two clean tennis balls.",
    "We repair poles for free during the warranty and at cost after it; write to us from the Help page.",
    "Blue is coming back in March, in all sizes. Thanks for asking!",
    "Prenez votre pointure habituelle : la forme est plutôt large.",
    "It's comfortable down to 2 °C for most people; the limit rating is -4 °C.",
    "Five years on packs, and we repair them for life at cost.",
    "Water-resistant: the seams are taped but the zip is not. A dry bag inside keeps things safe.",
]
ANNOUNCEMENTS = [
    "Welcome to the Fernhill community! Ask us anything here: we answer every question within a working day. #fernhillfamily",
    "Spring range preview: our top fans get an early look next week. Keep the ideas coming!",
]
SKIES = [("#8ec5fc", "#e0c3fc"), ("#f6d365", "#fda085"), ("#a1c4fd", "#c2e9fb"), ("#84fab0", "#8fd3f4"),
         ("#fccb90", "#d57eeb"), ("#d4fc79", "#96e6a1")]
LANDSCAPES = 12
HILLS = ["#1f6f4a", "#2b8a3e", "#364fc7", "#5f3dc4", "#495057", "#0b7285"]


def _landscape(rng: random.Random, width: int = 1200, height: int = 800) -> tuple[bytes, bytes, int, int]:
    """A generated photo: a sky gradient, a sun and layered hills."""
    top, bottom = SKIES[rng.randrange(len(SKIES))]
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    t_rgb = tuple(int(top[i:i + 2], 16) for i in (1, 3, 5))
    b_rgb = tuple(int(bottom[i:i + 2], 16) for i in (1, 3, 5))
    for y in range(height):
        mix = y / height
        draw.line([(0, y), (width, y)], fill=tuple(int(t * (1 - mix) + b * mix) for t, b in zip(t_rgb, b_rgb, strict=True)))
    sun_x, sun_y = rng.randint(150, width - 150), rng.randint(100, 300)
    draw.ellipse((sun_x - 60, sun_y - 60, sun_x + 60, sun_y + 60), fill="#fff4d6")
    for layer in range(3):
        base = height * (0.55 + layer * 0.13)
        points = [(0, height)]
        for x in range(0, width + 100, 100):
            points.append((x, base - rng.randint(0, 160 - layer * 40)))
        points.append((width, height))
        colour = HILLS[(rng.randrange(len(HILLS)) + layer) % len(HILLS)]
        draw.polygon(points, fill=colour)
    image = image.filter(ImageFilter.SMOOTH)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    out.seek(0)
    config = current_app.config
    full, thumb, w, h = images.photo_and_thumbnail(out, max_side=PHOTO_MAX_SIDE, thumb_side=THUMB_SIDE,
                                                   max_bytes=config["PHOTO_MAX_BYTES"], max_pixels=config["IMAGE_MAX_PIXELS"])
    return full, thumb, w, h


def build_community(session: Session, rng: random.Random, ctx: dict[str, Any]) -> None:
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        _build(session, rng, ctx)


def _build(session: Session, rng: random.Random, ctx: dict[str, Any]) -> None:
    now = utcnow()
    admin: User = ctx["admin"]
    staff: list[User] = [u for u in ctx["staff"] if u.is_staff]
    members: list[User] = [u for u in ctx["members"] if u.is_verified]
    alex = ctx["members"][0]
    everyone = [admin, *ctx["staff"], *ctx["members"]]
    handles = {u.username for u in everyone}
    tags: dict[str, Hashtag] = {}
    events: list[EngagementEvent] = []
    notifications: list[Notification] = []
    unread: Counter[int] = Counter()

    def render(text: str) -> markup.Rendered:
        return markup.render(text, tag_url=lambda t: url_for("community.hashtag", name=t),
                             member_url=lambda h: url_for("community.handle", username=h), known_handles=handles)

    def tell(user: User, kind: NotificationKind, actor: User, when: datetime, post: Post, comment: Comment | None = None,
             read: bool = True) -> None:
        if user.id == actor.id:
            return
        notifications.append(Notification(user_id=user.id, actor_id=actor.id, kind=kind, post_id=post.id,
                                          comment_id=comment.id if comment else None, created_at=when,
                                          read_at=when + timedelta(hours=2) if read else None))
        if not read:
            unread[user.id] += 1

    landscapes = [_landscape(rng) for _ in range(LANDSCAPES)]  # a dozen scenes, reused: generating is slow

    def add_post(author: User, text: str, when: datetime, *, question: bool = False, announcement: bool = False,
                 photos: int = 0) -> Post:
        rendered = render(text)
        post = Post(author_id=author.id, body=text, body_html=rendered.html, is_question=question,
                    is_announcement=announcement, created_at=when, published_at=when)
        for position in range(photos):
            full, thumb, w, h = rng.choice(landscapes)
            post.photos.append(Photo(position=position, filename=images.store(photo_folder(), full, "jpg"),
                                     thumbnail=images.store(photo_folder(), thumb, "jpg"), width=w, height=h))
        session.add(post)
        session.flush()
        for name in rendered.hashtags:
            if name not in tags:
                tags[name] = Hashtag(name=name)
                session.add(tags[name])
                session.flush()
            session.add(PostHashtag(post_id=post.id, hashtag_id=tags[name].id))
        events.append(EngagementEvent(user_id=author.id, kind="question" if question else "post", post_id=post.id,
                                      created_at=when))
        return post

    def add_comment(post: Post, author: User, text: str, when: datetime, parent: Comment | None = None) -> Comment:
        comment = Comment(post_id=post.id, author_id=author.id, body=text, body_html=render(text).html, created_at=when,
                          parent_id=parent.id if parent else None)
        session.add(comment)
        session.flush()
        post.comment_count += 1
        events.append(EngagementEvent(user_id=author.id, kind="comment", post_id=post.id, comment_id=comment.id,
                                      created_at=when))
        tell(post.author, NotificationKind.REPLY, author, when, post, comment, read=post.author is not alex)
        return comment

    # Follows: everyone follows a few people; staff are popular.
    follows: set[tuple[int, int]] = set()
    for person in members:
        for followed in rng.sample(everyone, 6) + rng.sample(staff, 1):
            if followed.id != person.id and (person.id, followed.id) not in follows:
                follows.add((person.id, followed.id))
                when = max(person.created_at, followed.created_at) + timedelta(days=rng.uniform(0, 30))
                when = min(when, now - timedelta(hours=1))
                session.add(Follow(follower_id=person.id, followed_id=followed.id, created_at=when))
                events.append(EngagementEvent(user_id=followed.id, kind="follower_gained", other_user_id=person.id,
                                              created_at=when))

    posts: list[Post] = []
    for index, text in enumerate(ANNOUNCEMENTS):
        posts.append(add_post(staff[0], text, now - timedelta(days=20 - index * 12), announcement=True))
    for _ in range(220):
        author = rng.choice(members)
        when = now - timedelta(days=rng.uniform(0, 60) ** 1.3 / 60 ** 0.3, minutes=rng.randint(0, 600))
        text = rng.choice(POSTS)
        if rng.random() < 0.15:
            text += f" cc @{rng.choice(staff).username}"
        posts.append(add_post(author, text, when, photos=rng.choice([0, 0, 0, 1, 1, 2, 3])))
    questions = []
    for text in QUESTIONS * 3:
        author = rng.choice(members)
        questions.append(add_post(author, text, now - timedelta(days=rng.uniform(0.1, 30)), question=True))
    posts.extend(questions)

    # Questions: most answered by staff (some marked as the answer), a few still waiting.
    for index, question in enumerate(questions):
        if index % 5 == 4:
            continue  # left for staff to answer: the Questions page is not empty
        answerer = rng.choice(staff)
        when = question.published_at + timedelta(hours=rng.uniform(0.2, 6))
        answer = add_comment(question, answerer, STAFF_ANSWERS[index % len(STAFF_ANSWERS)], min(when, now))
        if index % 3 != 2:
            question.answer_id = answer.id
            events.append(EngagementEvent(user_id=answerer.id, kind="answer_accepted", post_id=question.id,
                                          comment_id=answer.id, created_at=answer.created_at))

    # Conversation and likes on ordinary posts.
    for post in posts:
        age = (now - post.published_at).total_seconds()
        top: list[Comment] = []
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3, 5])):
            when = post.published_at + timedelta(seconds=rng.uniform(60, max(age, 120)))
            parent = rng.choice(top) if top and rng.random() < 0.3 else None
            comment = add_comment(post, rng.choice(members), rng.choice(COMMENTS), min(when, now), parent)
            if parent is None:
                top.append(comment)
        for liker in rng.sample(members, rng.choice([0, 1, 2, 3, 5, 8, 13, 21])):
            when = min(post.published_at + timedelta(seconds=rng.uniform(60, max(age, 120))), now)
            session.add(PostLike(user_id=liker.id, post_id=post.id, created_at=when))
            post.like_count += 1
            events.append(EngagementEvent(user_id=liker.id, kind="like_given", post_id=post.id, created_at=when))
            if liker.id != post.author_id:
                events.append(EngagementEvent(user_id=post.author_id, kind="like_received", post_id=post.id,
                                              other_user_id=liker.id, created_at=when))
                tell(post.author, NotificationKind.LIKE, liker, when, post, read=post.author is not alex)
    session.flush()
    # A few comment likes, so threads show them too.
    comments = [c for c in session.identity_map.values() if isinstance(c, Comment)]
    for comment in rng.sample(comments, min(150, len(comments))):
        liker = rng.choice(members)
        if liker.id == comment.author_id:
            continue
        session.add(CommentLike(user_id=liker.id, comment_id=comment.id, created_at=comment.created_at + timedelta(minutes=5)))
        comment.like_count += 1
        events.append(EngagementEvent(user_id=liker.id, kind="like_given", comment_id=comment.id, created_at=comment.created_at))
        events.append(EngagementEvent(user_id=comment.author_id, kind="like_received", comment_id=comment.id,
                                      other_user_id=liker.id, created_at=comment.created_at))

    # Alex, the demo member, has a few fresh notifications waiting.
    alex_post = add_post(alex, "Just joined! Loving my new #ridgejacket already. Any tips for the first wash? #gearcare",
                         now - timedelta(hours=5), photos=1)
    answer = add_comment(alex_post, staff[0], "Welcome Alex! Cool water, no softener, and hang it to dry.",
                         now - timedelta(hours=4))
    tell(alex, NotificationKind.MENTION, staff[1], now - timedelta(hours=3), alex_post, answer, read=False)
    for liker in members[1:4]:
        session.add(PostLike(user_id=liker.id, post_id=alex_post.id, created_at=now - timedelta(hours=2)))
        alex_post.like_count += 1
        events.append(EngagementEvent(user_id=liker.id, kind="like_given", post_id=alex_post.id, created_at=now))
        events.append(EngagementEvent(user_id=alex.id, kind="like_received", post_id=alex_post.id,
                                      other_user_id=liker.id, created_at=now))
        tell(alex, NotificationKind.LIKE, liker, now - timedelta(hours=2), alex_post, read=False)

    # A staff announcement scheduled for tomorrow, waiting for the job queue.
    scheduled = add_post(staff[1], "Tomorrow: live Q&A with the footwear team, right here. Bring your questions! "
                         "#fernhillfamily", now, announcement=True)
    scheduled.published_at, scheduled.scheduled_for = None, now + timedelta(days=1)

    session.add_all(events)
    session.add_all(notifications)
    for user in everyone:
        user.unread_notifications = unread[user.id]
