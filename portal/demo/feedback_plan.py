"""The feedback demo's plan: who posts which idea when, how each idea walks to its status and
why, who votes within which budget, who comments, what was merged. Nothing is written here:
`FeedbackPlan.run` decides it all in memory, and the feedback builder (feedback.py) writes it.

The ideas come from templates in data/feedback_ideas.json: "{p}" is a product (or a shop
filter) of the template's kind, named in the template's language, and `shipped`, when set,
is the line the changelog uses once the idea is done. What people reply is in
data/feedback_replies.json.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from ..accounts.models import User
from ..fans.models import FanStanding
from ..feedback.models import Board, Category, Idea, IdeaStatus, Visibility, VoteSource
from .kit import Demo, data

S = IdeaStatus
# (English, French) ideas drawn from each board's templates, besides the near-duplicate pairs.
DRAWN = {"product-ideas": (150, 28), "website-app": (40, 8), "sustainability": (24, 7), "superfan-lab": (16, 2)}
MIX = {S.UNDER_REVIEW: .12, S.PLANNED: .09, S.IN_PROGRESS: .06, S.DONE: .15, S.DECLINED: .08}  # the rest stay open
PATHS = {S.UNDER_REVIEW: [[S.UNDER_REVIEW]], S.PLANNED: [[S.PLANNED], [S.UNDER_REVIEW, S.PLANNED]],
         S.IN_PROGRESS: [[S.PLANNED, S.IN_PROGRESS], [S.UNDER_REVIEW, S.PLANNED, S.IN_PROGRESS]],
         S.DONE: [[S.DONE], [S.PLANNED, S.DONE], [S.PLANNED, S.IN_PROGRESS, S.DONE],
                  [S.UNDER_REVIEW, S.PLANNED, S.IN_PROGRESS, S.DONE]],
         S.DECLINED: [[S.DECLINED], [S.UNDER_REVIEW, S.DECLINED]]}
AGE = {S.OPEN: (1, 540), S.UNDER_REVIEW: (15, 480), S.PLANNED: (40, 540), S.IN_PROGRESS: (90, 540), S.DONE: (100, 540),
       S.DECLINED: (25, 540)}  # days since posting, by final status
POPULARITY = {S.OPEN: 1.0, S.UNDER_REVIEW: 1.6, S.PLANNED: 2.6, S.IN_PROGRESS: 2.6, S.DONE: 2.2, S.DECLINED: 0.9}
TOP = {"product-ideas": 175, "website-app": 130, "sustainability": 170, "superfan-lab": 9}  # votes of each board's top idea
FILL = 0.6  # share of the budgeted boards' votes that members have spent
TIME_WORDS = {"product-ideas": "collection", "website-app": "update"}  # else a plain month


@dataclass(eq=False)
class Draft:
    board: Board
    category: str
    lang: str
    title: str
    description: str
    note: str
    author: User
    created: datetime
    status: IdeaStatus = S.OPEN
    changes: list[tuple[datetime, IdeaStatus, IdeaStatus, User, str]] = field(default_factory=list)
    target: int = 0
    votes: dict[int, tuple[datetime, Draft | None]] = field(default_factory=dict)  # member -> when, via which duplicate
    customers: list[dict[str, Any]] = field(default_factory=list)
    comments: list[tuple[User, str, datetime, Draft | None, bool]] = field(default_factory=list)  # ..., from, deleted
    duplicates: list[Draft] = field(default_factory=list)
    merged_into: Draft | None = None
    merged_at: datetime | None = None
    merged_by: User | None = None
    hidden_at: datetime | None = None
    idea: Idea | None = None

    @property
    def listed(self) -> bool:
        return self.merged_into is None and self.hidden_at is None

    @property
    def holds(self) -> bool:
        return self.listed and self.status.accepts_votes

    @property
    def closed_at(self) -> datetime | None:
        return None if self.status.accepts_votes else self.changes[-1][0]


def said(lines: dict[str, dict[str, list[str]]], lang: str, board: Board) -> list[str]:
    """The lines someone may say in this language here: those about gear only on the product board."""
    return lines[lang]["anywhere"] + (lines[lang].get("gear", []) if board.slug == "product-ideas" else [])


class FeedbackPlan:
    """Who posts, votes and comments what, and when; `run` plans it all."""

    def __init__(self, demo: Demo):
        self.rng, self.now, self.session = demo.rng, demo.now, demo.session
        cast = demo.people
        self.admin: User = cast.admin
        self.camille, self.jordan, self.priya = cast.staff[:3]
        self.moderator = cast.staff[3]
        self.members: list[User] = [m for m in cast.members if m.is_verified]
        self.alex: User = cast.alex
        self.everyone: list[User] = cast.everyone
        self.ideas, self.replies = data("feedback_ideas"), data("feedback_replies")
        self.used: Counter[tuple[int, str]] = Counter()  # (member, board slug) -> votes held
        self.drafts: list[Draft] = []

    # -- people, boards, ideas --------------------------------------------------

    def run(self) -> None:
        rng = self.rng
        self.activity = {m.id: rng.lognormvariate(0, 0.8) for m in self.members}
        # The superfans' lab is for the members whose community engagement already stands out: the fans
        # builder draws the tiers from the scores at the end, and these are the ones it will find on top.
        scores = dict(self.session.execute(select(FanStanding.user_id, FanStanding.score)).all())
        ranked = sorted((m for m in self.members if m is not self.alex),
                        key=lambda m: (-scores.get(m.id, 0), -self.activity[m.id]))
        self.superfans = ranked[:12]
        self.oldest = (self.now - sorted(m.created_at for m in self.members)[10]).days - 2  # ideas need authors
        self.boards: dict[str, Board] = {}
        for position, board in enumerate(self.ideas["boards"]):
            french = board.get("fr", {})  # the brand's texts in French too (kernel/translatable.py)
            self.boards[board["slug"]] = Board(
                slug=board["slug"], name=board["name"], description=board["description"],
                name_i18n={"fr": french["name"]} if "name" in french else {},
                description_i18n={"fr": french["description"]} if "description" in french else {},
                visibility=Visibility(board["visibility"]), vote_budget=board["vote_budget"], position=position,
                created_at=self.now - timedelta(days=board["age_days"]),
                categories=[Category(name=name, name_i18n={"fr": french["categories"][i]} if "categories" in french else {})
                            for i, name in enumerate(board["categories"])])
        for slug in self.boards:
            self.draw(slug)
        junk = self.ideas["spam"]
        spam = Draft(self.boards["product-ideas"], "Accessories", "en", junk["title"], junk["description"], "",
                     rng.choice(self.members), self.now - timedelta(days=41))
        spam.hidden_at = spam.created + timedelta(hours=3)
        spam.votes[spam.author.id] = (spam.created, None)
        self.drafts.append(spam)
        for draft in self.drafts:
            if draft.listed and draft.status is not S.OPEN:
                self.timeline(draft)
        self.stage_alex()
        self.vote()
        self.discuss()

    def pool(self, board: Board) -> list[User]:
        return self.superfans if board.visibility is Visibility.SUPERFANS else self.members

    def draft(self, board: Board, category: str, lang: str, title: str, description: str, note: str, status: IdeaStatus,
              after: datetime | None = None) -> Draft:
        rng, now = self.rng, self.now
        low, high = AGE[status]
        high = min(high, (now - board.created_at).days - 2, self.oldest)
        days = low + (high - low) * rng.random() ** 1.4
        created = now - timedelta(days=days, minutes=rng.randint(0, 1439))
        if after is not None:  # a duplicate comes after its original
            # (an original of the last three days has its duplicate within the hours after it, never before)
            created = after + max(now - timedelta(days=3) - after, (now - after) / 2) * rng.uniform(0.05, 0.8)
        people = [m for m in self.pool(board) if m.created_at < created - timedelta(days=1) and m is not self.alex]
        if lang == "fr" and rng.random() < 0.8:
            people = [m for m in people if m.locale == "fr"] or people
        people = people or sorted(self.pool(board), key=lambda m: m.created_at)[:3]
        author = rng.choices(people, weights=[self.activity[m.id] for m in people])[0]
        if rng.random() < 0.35:
            description += " " + rng.choice(said(self.ideas["extra"], lang, board))
        return Draft(board, category, lang, title, description, note, author, max(created, author.created_at + timedelta(days=1)),
                     status)

    def draw(self, slug: str) -> None:
        rng, board = self.rng, self.boards[slug]
        taken = {t.lower() for pair in self.ideas["duplicates"] for t in (pair["title"], pair["dup_title"])}
        picked = []
        for lang, count in zip(("en", "fr"), DRAWN[slug], strict=True):
            found = []
            for template in self.ideas["templates"][slug]:
                if template["lang"] != lang:
                    continue
                kind = template["product"]
                names = [None] if kind is None else [n[lang == "fr"] for n in self.ideas["products"][kind] if n[lang == "fr"]]
                for name in names:
                    fill = (lambda s, name=name: s.replace("{p}", name) if name else s)
                    if fill(template["title"]).lower() not in taken:
                        taken.add(fill(template["title"]).lower())
                        found.append((template["category"], lang, fill(template["title"]), fill(template["description"]),
                                      fill(template["shipped"])))
            picked += rng.sample(found, min(count, len(found)))
        statuses = [s for s, share in MIX.items() for _ in range(round(share * len(picked)))]
        statuses += [S.OPEN] * (len(picked) - len(statuses))
        rng.shuffle(statuses)
        self.drafts += [self.draft(board, *fields, status=status) for fields, status in zip(picked, statuses, strict=True)]
        for pair in self.ideas["duplicates"]:
            if pair["board"] != slug:
                continue
            original = self.draft(board, pair["category"], pair["lang"], pair["title"], pair["description"], "",
                                  rng.choice([S.OPEN, S.OPEN, S.UNDER_REVIEW, S.PLANNED]))
            duplicate = self.draft(board, pair["category"], pair["dup_lang"], pair["dup_title"], pair["dup_description"], "",
                                   S.OPEN, after=original.created)
            self.drafts += [original, duplicate]
            if pair["merged"]:
                duplicate.merged_into, duplicate.merged_by = original, self.actor(original)
                duplicate.merged_at = duplicate.created + (self.now - duplicate.created) * rng.uniform(0.2, 0.9)
                original.duplicates.append(duplicate)

    def actor(self, draft: Draft) -> User:
        if draft.lang == "fr":
            return self.camille
        return {"Footwear": self.jordan, "Jackets & shells": self.priya}.get(draft.category) or \
            self.rng.choice([self.admin, self.camille])

    def explain(self, draft: Draft, status: IdeaStatus, when: datetime) -> str:
        rng, lang, replies = self.rng, draft.lang, self.replies
        team = replies["teams"][draft.category][lang == "fr"]
        target = when + timedelta(days=rng.randint(90, 240)) if status in (S.PLANNED, S.IN_PROGRESS) else when
        month, year = target.month, target.year
        words = TIME_WORDS.get(draft.board.slug)
        if words == "collection":
            season, year = replies["seasons"][lang][month % 12 // 3], year + (month == 12)
            phrase = f"la collection {season} {year}" if lang == "fr" else f"the {season} {year} collection"
        else:
            name = replies["months"][lang][month - 1]
            phrase = f"{name} {year}"
            if words == "update":
                phrase = (f"la mise à jour d'{phrase}" if name[0] in "ao" else f"la mise à jour de {phrase}") if lang == "fr" \
                    else f"the {phrase} update"
        note = draft.note or (f"« {draft.title} »" if lang == "fr" else f"“{draft.title}”")
        gear = draft.board.slug == "product-ideas"
        choices = replies["explanations"][status.value][lang] + \
            (replies["gear_explanations"].get(status.value, {}).get(lang, []) if gear else [])
        out = rng.choice(choices).format(team=team, Team=team[0].upper() + team[1:], season=phrase, note=note,
                                         reason=rng.choice(replies["reasons"][lang]["gear" if gear else "anywhere"]))
        return out[0].upper() + out[1:]

    def timeline(self, draft: Draft, last: datetime | None = None) -> None:
        """Walk the idea from open to its status, each step explained by staff; `last` pins the final step's time."""
        path = self.rng.choice(PATHS[draft.status]) if last is None else [c[2] for c in draft.changes]
        start, end = draft.created + timedelta(days=2), last or self.now - timedelta(hours=3)
        times = sorted(start + (end - start) * self.rng.random() for _ in path[:-1]) + \
            [end if last else start + (end - start) * self.rng.uniform(0.5, 1)]
        times = sorted(times)
        draft.changes, old = [], S.OPEN
        for when, new in zip(times, path, strict=True):
            draft.changes.append((when, old, new, self.actor(draft), self.explain(draft, new, when)))
            old = new

    def stage_alex(self) -> None:
        """The demo member's story: his own idea, and a plan and a merge he hears about today."""
        rng, alex, now = self.rng, self.alex, self.now
        product = [d for d in self.drafts if d.board.slug == "product-ideas" and d.listed]
        own = rng.choice([d for d in product if d.status is S.OPEN and d.lang == "en" and not d.duplicates
                          and d.created > alex.created_at + timedelta(days=2)])
        own.author = alex
        self.alex_plan = rng.choice([d for d in product if d.status is S.PLANNED and not d.duplicates
                                     and d.created < now - timedelta(days=20)])
        self.timeline(self.alex_plan, last=now - timedelta(days=1, minutes=rng.randint(0, 600)))
        self.alex_merge = rng.choice([d for d in self.drafts if d.merged_into and d.board.slug == "product-ideas"
                                      and d.created < now - timedelta(days=5)])
        self.alex_merge.merged_at = now - timedelta(hours=20)

    # -- votes and comments -------------------------------------------------------

    def room(self, member: User, draft: Draft) -> bool:
        budget = draft.board.vote_budget
        return not draft.holds or budget is None or self.used[(member.id, draft.board.slug)] < budget

    def cast(self, draft: Draft, member: User, when: datetime, via: Draft | None = None) -> None:
        draft.votes[member.id] = (when, via)
        if draft.holds:
            self.used[(member.id, draft.board.slug)] += 1

    def when(self, start: datetime, end: datetime, member: User | None = None, skew: float = 1.3) -> datetime:
        if member is not None:
            start = max(start, member.created_at + timedelta(hours=1))
        return start + (end - start) * self.rng.random() ** skew

    def aim(self, drafts: list[Draft], top: int, total: float | None) -> None:
        """Votes each idea should get: top / rank ** a, with `a` fitted so that they add up to `total` when given."""
        low, high, a = 0.3, 3.0, 0.8
        for _ in range(30 if total else 0):
            a = (low + high) / 2
            low, high = (a, high) if sum(top / r ** a for r in range(1, len(drafts) + 1)) > total else (low, a)
        for rank, draft in enumerate(drafts, 1):
            draft.target = int(top / rank ** a) + self.rng.randint(0, 1)

    def vote(self) -> None:
        rng, now, alex = self.rng, self.now, self.alex
        for draft in sorted(self.drafts, key=lambda d: d.created):  # authors vote for their idea when budget allows
            final = draft.merged_into or draft
            if draft.listed or draft.merged_into:
                if draft.author.id not in final.votes and self.room(draft.author, final):
                    self.cast(final, draft.author, draft.created, draft if final is not draft else None)
        for slug, board in self.boards.items():
            listed = [d for d in self.drafts if d.board is board and d.listed]
            keys = {d: POPULARITY[d.status] * (2 if d.duplicates else 1) * rng.random() ** 0.7 for d in listed}
            budget = board.vote_budget
            for group in ([d for d in listed if d.holds], [d for d in listed if not d.holds]) if budget else (listed,):
                # Budgeted boards: members have spent about FILL of their open votes.
                spent = FILL * budget * len(self.pool(board)) if budget and group[0].holds else None
                self.aim(sorted(group, key=lambda d: -keys[d]), TOP[slug], spent)
            recent = [d for d in listed if d.status is S.OPEN and d.created > now - timedelta(days=21)]
            for draft in rng.sample(recent, min(2, len(recent))):
                draft.target = max(draft.target, int(TOP[slug] * rng.uniform(0.2, 0.35)))  # today's hot ideas
        # Alex: seven of his ten votes spent on product ideas, a few elsewhere.
        original = self.alex_merge.merged_into
        self.cast(original, alex, self.when(self.alex_merge.created, self.alex_merge.merged_at, alex), self.alex_merge)
        self.cast(self.alex_plan, alex, self.when(self.alex_plan.created, self.alex_plan.changes[-1][0], alex))
        for slug, count, status in (("product-ideas", 4, S.OPEN), ("product-ideas", 2, S.DONE), ("website-app", 3, S.OPEN)):
            chosen = sorted((d for d in self.drafts if d.board.slug == slug and d.listed and d.status is status
                             and alex.id not in d.votes and d.created > alex.created_at), key=lambda d: -d.target)[:count + 4]
            for draft in rng.sample(chosen, count):
                self.cast(draft, alex, self.when(draft.created, draft.closed_at or now, alex))
        for draft in sorted((d for d in self.drafts if d.listed), key=lambda d: -d.target):
            end = draft.closed_at or now - timedelta(minutes=5)
            people = [m for m in self.pool(draft.board) if m.id not in draft.votes and self.room(m, draft)
                      and m.created_at < end - timedelta(hours=2) and (m is not alex or draft.board.vote_budget is None)]
            people.sort(key=lambda m: rng.random() ** (1 / self.activity[m.id]), reverse=True)
            for member in people[:max(draft.target - len(draft.votes), 0)]:
                dup = rng.choice(draft.duplicates) if draft.duplicates and rng.random() < 0.3 else None
                # A vote through a duplicate counts on the original from the merge: never before the original existed.
                if dup and member.created_at < dup.merged_at - timedelta(hours=2) and dup.created >= draft.created:
                    self.cast(draft, member, self.when(dup.created, dup.merged_at, member), dup)
                else:
                    self.cast(draft, member, self.when(draft.created, end, member))
        staff = [self.admin, self.camille, self.jordan, self.priya]
        for draft in rng.sample([d for d in self.drafts if d.listed and d.board.slug in ("product-ideas", "website-app")
                                 and d.target >= 8], 24):
            for name in rng.sample(self.replies["customers"], rng.choice([1, 1, 2, 3])):
                source = rng.choice(["email", "phone", "social"])
                email = name.lower().replace(" ", ".").translate(str.maketrans("éèëï", "eeei")) + "@example.net"
                draft.customers.append({
                    "user_id": None, "customer_name": name, "customer_email": email if rng.random() < 0.5 else None,
                    "source": VoteSource(source), "note": rng.choice(self.replies["customer_notes"][source]),
                    "recorded_by_id": rng.choice(staff).id,
                    "created_at": self.when(draft.created, draft.closed_at or self.now)})

    def discuss(self) -> None:
        rng, now, replies = self.rng, self.now, self.replies
        staff_ids = {self.admin.id, self.camille.id, self.jordan.id, self.priya.id}
        for draft in self.drafts:
            final = draft.merged_into or draft
            if draft.hidden_at:
                continue
            end = draft.merged_at or now - timedelta(minutes=10)
            count = rng.choice([0, 1, 2, 3]) if draft.merged_into else \
                min(12, int(len(draft.votes) ** 0.55 * 0.6) + rng.choice([0, 0, 0, 1, 1, 2]))
            people = self.pool(draft.board)
            for _ in range(count):
                when = self.when(draft.created + timedelta(minutes=30), end, skew=1.2)
                lang = draft.lang if rng.random() < 0.88 else ("en" if draft.lang == "fr" else "fr")
                team = replies["teams"][draft.category][lang == "fr"]
                if rng.random() < 0.15:
                    author = self.actor(draft)
                    body = rng.choice(said(replies["staff_comments"], lang, draft.board)).format(team=team)
                else:
                    writers = [m for m in people if m.created_at < when - timedelta(hours=1)] or people
                    author = rng.choices(writers, weights=[self.activity[m.id] for m in writers])[0]
                    closed = draft.closed_at
                    pool = replies["after_done"] if draft.status is S.DONE and closed and when > closed else replies["comments"]
                    body = rng.choice(said(pool, lang, draft.board))
                deleted = author.id not in staff_ids and rng.random() < 0.03
                final.comments.append((author, body, when, draft if draft is not final else None, deleted))
            if len(draft.votes) >= 40 and rng.random() < 0.5:
                when = min(draft.created + timedelta(days=rng.uniform(3, 20)), now - timedelta(hours=1))
                draft.comments.append((draft.author, replies["author_thanks"][draft.lang], when, None, False))
        plan = self.alex_plan
        plan.comments.append((self.actor(plan), rng.choice(said(replies["staff_comments"], plan.lang, plan.board)).format(
            team=replies["teams"][plan.category][plan.lang == "fr"]), now - timedelta(hours=20), None, False))
