"""The benchmark's feedback board: five boards (the biggest without a vote budget), their categories,
ideas in every status with their public explanation, idea comments (one idea with exactly 100), votes
within each budget (the author's first), a few votes on behalf of customers, subscriptions, budgets,
and each idea's counters and trending score from the rows made."""
from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, update

from ..feedback import trending
from ..feedback.models import Board, Category, Idea, IdeaComment, IdeaEvent, IdeaStatus, Subscription, Vote, VoteBudget
from . import texts
from .kit import Bench, Picker, spread
from .ledger import Ledger
from .people import People

# slug, name, visibility, vote budget, share of the ideas, categories
BOARDS = (
    ("ideas", "Product ideas", "public", None, 0.45, ("Tents", "Clothing", "Backpacks", "Footwear")),
    ("app", "The Fernhill app", "public", 10, 0.2, ("Maps", "Accounts", "Offline", "Notifications")),
    ("shop", "Shop and delivery", "public", 10, 0.15, ("Delivery", "Returns", "Payment", "Sizes")),
    ("community", "Community and events", "members", 20, 0.12, ("Meetups", "Workshops", "Forum", "Challenges")),
    ("insiders", "Insiders", "superfans", 5, 0.08, ("Prototypes", "Colours", "Materials", "Packaging")),
)
# Status by age: (status, weight among old ideas, weight among recent ones)
STATUSES = ((IdeaStatus.OPEN, 45, 85), (IdeaStatus.UNDER_REVIEW, 10, 8), (IdeaStatus.PLANNED, 12, 4),
            (IdeaStatus.IN_PROGRESS, 8, 2), (IdeaStatus.DONE, 17, 1), (IdeaStatus.DECLINED, 8, 0))
DELETED = 0.005
CUSTOMER_VOTES = 0.01
IDEA_COMMENTS = 100  # the idea the manifest names has exactly this many


class Ideas:
    """What the steps after the ideas read: each idea's board, author, dates, status, votes and comments."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.weights: list[float] = []
        self.voters: list[list[tuple[int, datetime]]] = []
        self.comments: list[list[datetime]] = []
        self.chatty = 0  # the idea with IDEA_COMMENTS comments


def build(bench: Bench, people: People, ledger: Ledger) -> Ideas:
    ideas = Ideas()
    with bench.step("ideas"):
        board_ids = _boards(bench)
        _ideas(bench, people, ledger, ideas, board_ids)
    with bench.step("idea_comments"):
        _comments(bench, people, ledger, ideas)
    return ideas


def _boards(bench: Bench) -> list[int]:
    boards, categories = [], []
    for position, (slug, name, visibility, budget, _share, names) in enumerate(BOARDS, 1):
        boards.append({"id": position, "slug": slug, "name": name, "description": f"{name}: tell us what to make next.",
                       "name_i18n": {}, "description_i18n": {}, "visibility": visibility, "vote_budget": budget,
                       "position": position, "idea_count": 0, "created_at": bench.start - timedelta(days=10)})
        categories.extend({"id": len(categories) + 1, "board_id": position, "name": category, "name_i18n": {}}
                          for category in names)
    bench.insert(Board, boards)
    bench.insert(Category, categories)
    bench.manifest["boards"] = [b["slug"] for b in boards]
    bench.manifest["board"] = BOARDS[0][0]
    bench.counts["boards"] = len(boards)
    return [b["id"] for b in boards]


def _ideas(bench: Bench, people: People, ledger: Ledger, ideas: Ideas, board_ids: list[int]) -> None:
    rng = bench.rng
    insiders = Picker(rng, people.by_activity[:max(5, len(people.ids) // 20)])
    boards = rng.choices(board_ids, weights=[b[4] for b in BOARDS], k=bench.sizes.ideas)
    events = []
    for idea_id, board_id in enumerate(boards, 1):
        author = (insiders if board_id == 5 else people.active).one()
        language = people.language[author]
        created = bench.moment(people.since(author))
        age = (bench.now - created).days / max(1, (bench.now - bench.start).days)
        status = rng.choices([s[0] for s in STATUSES], weights=[s[1] * age + s[2] * (1 - age) for s in STATUSES])[0]
        changed = bench.moment(created) if status is not IdeaStatus.OPEN else None
        description = " ".join(texts.sentence(rng, language) for _ in range(rng.randint(1, 2)))
        deleted = rng.random() < DELETED
        ideas.rows.append({
            "id": idea_id, "board_id": board_id, "category_id": (board_id - 1) * 4 + rng.randint(1, 4),
            "author_id": author, "title": texts.idea_title(rng, language), "description": description,
            "description_html": texts.html(description), "status": status.value, "created_at": created,
            "activity_at": created, "status_changed_at": changed, "reviewed_at": changed, "vote_count": 0,
            "comment_count": 0, "trending": 0.0, "deleted_at": bench.moment(created) if deleted else None,
            "response": "", "response_i18n": {}, "response_html": "", "response_html_i18n": {}})
        ideas.weights.append(0.0 if deleted else math.exp(rng.gauss(0, 1)) / (people.rank[author] + 10))
        ideas.voters.append([])
        ideas.comments.append([])
        if deleted:
            continue  # a deletion takes the author's points back
        ledger.add(author, "idea_posted", created, idea_id=idea_id)
        if changed is not None:
            staff = rng.choice(people.staff)
            text = f"Status changed to {status.value.replace('_', ' ')}: thank you for the idea."
            events.append({"idea_id": idea_id, "kind": "status", "actor_id": staff, "old_status": "open",
                           "status": status.value, "explanation": text, "explanation_html": texts.html(text),
                           "explanation_i18n": {}, "explanation_html_i18n": {}, "created_at": changed})
            if status in (IdeaStatus.PLANNED, IdeaStatus.IN_PROGRESS, IdeaStatus.DONE):
                ledger.add(author, "idea_planned", changed, idea_id=idea_id)
            if status is IdeaStatus.DONE:
                ledger.add(author, "idea_done", changed, idea_id=idea_id)
    bench.counts["ideas"] = bench.insert(Idea, ideas.rows)
    bench.counts["idea_status_events"] = bench.insert(IdeaEvent, events)
    listed = {}
    for row in ideas.rows:
        if row["deleted_at"] is None:
            listed[row["board_id"]] = listed.get(row["board_id"], 0) + 1
    bench.session.execute(update(Board.__table__).where(Board.__table__.c.id == bindparam("board"))
                          .values(idea_count=bindparam("count")), [{"board": b, "count": n} for b, n in listed.items()])


def _comments(bench: Bench, people: People, ledger: Ledger, ideas: Ideas) -> None:
    rng = bench.rng
    open_big = [r["id"] for r in ideas.rows if r["board_id"] == 1 and r["status"] == "open" and r["deleted_at"] is None]
    ideas.chatty = max(open_big, key=lambda i: ideas.weights[i - 1]) if open_big else 0
    weights = [0.0 if r["id"] == ideas.chatty else w for r, w in zip(ideas.rows, ideas.weights, strict=True)]
    total = bench.sizes.idea_comments
    counts = spread(rng, max(0, total - IDEA_COMMENTS), weights)
    if ideas.chatty:
        counts[ideas.chatty - 1] = IDEA_COMMENTS
    rows = []
    for row, count in zip(ideas.rows, counts, strict=True):
        for _ in range(count):
            writer = people.active.one()
            when = bench.moment(max(row["created_at"], people.since(writer)))
            body = texts.comment_text(rng, people.language[writer])
            rows.append({"id": len(rows) + 1, "idea_id": row["id"], "author_id": writer, "body": body,
                         "body_html": texts.html(body), "created_at": when})
            ideas.comments[row["id"] - 1].append(when)
            row["comment_count"] += 1
            ledger.add(writer, "idea_comment", when, idea_id=row["id"])
            ideas.voters[row["id"] - 1].append((writer, when))  # subscribed by commenting (votes come next)
    bench.counts["idea_comments"] = bench.insert(IdeaComment, rows)


def votes(bench: Bench, people: People, ledger: Ledger, ideas: Ideas) -> None:
    """Votes within the budgets: the budgeted boards first, the rest on the biggest board (no budget)."""
    rng, total = bench.rng, bench.sizes.votes
    commenters = [list(v) for v in ideas.voters]
    for entry in ideas.voters:
        entry.clear()
    insiders = Picker(rng, people.by_activity[:max(5, len(people.ids) // 10)])
    used: dict[tuple[int, int], int] = {}  # (board, member): votes on ideas that still take them
    budgets = {i: b[3] for i, b in enumerate(BOARDS, 1)}
    rows: list[dict[str, Any]] = []
    asked = [r for r in ideas.rows if r["deleted_at"] is None and rng.random() < CUSTOMER_VOTES]  # customers' votes
    total -= len(asked)
    counts = spread(rng, total, [w if r["board_id"] != 1 else 0.0 for r, w in zip(ideas.rows, ideas.weights, strict=True)])
    for row, count in zip(ideas.rows, counts, strict=True):
        _vote(bench, people, ledger, ideas, row, count, insiders if row["board_id"] == 5 else people.active,
              budgets[row["board_id"]], used, rows)
    left = total - len(rows)
    counts = spread(rng, left, [w if r["board_id"] == 1 else 0.0 for r, w in zip(ideas.rows, ideas.weights, strict=True)])
    for row, count in zip(ideas.rows, counts, strict=True):
        if count:
            _vote(bench, people, ledger, ideas, row, count, people.active, None, used, rows)
    staff = people.staff[0]
    for row in asked:
        when = bench.moment(row["created_at"], row["status_changed_at"])
        number = len(rows) + 1
        rows.append({"id": number, "idea_id": row["id"], "user_id": None, "customer_name": f"Customer {number}",
                     "customer_email": f"customer{number}@example.com", "source": "email",
                     "note": "Asked by email.", "recorded_by_id": staff, "created_at": when})
        ideas.voters[row["id"] - 1].append((0, when))
    bench.counts["votes"] = bench.insert(Vote, rows)
    budget_rows = [{"user_id": uid, "board_id": board, "used": n} for (board, uid), n in sorted(used.items())]
    bench.counts["vote_budgets"] = bench.insert(VoteBudget, budget_rows)
    _subscriptions(bench, ideas, commenters)
    _counters(bench, ideas)


def _vote(bench: Bench, people: People, ledger: Ledger, ideas: Ideas, row: dict[str, Any], count: int,
          picker: Picker, budget: int | None, used: dict[tuple[int, int], int], rows: list[dict[str, Any]]) -> None:
    if row["deleted_at"] is not None or not count:
        return
    holds = IdeaStatus(row["status"]).accepts_votes
    end = row["status_changed_at"] if not holds else bench.now
    board, author, created = row["board_id"], row["author_id"], row["created_at"]
    taken = {uid for uid, _ in ideas.voters[row["id"] - 1] if uid}
    chosen = [(author, created)] if author not in taken else []
    taken.add(author)
    tries = 0
    while len(chosen) < count and tries < 4 * count + 20:
        tries += 1
        voter = picker.one()
        since = max(created, people.since(voter))
        if voter in taken or since >= end or (budget is not None and holds and used.get((board, voter), 0) >= budget):
            continue
        taken.add(voter)
        chosen.append((voter, bench.moment(since, end)))
    for voter, when in chosen:
        if budget is not None and holds and used.get((board, voter), 0) >= budget:
            continue  # the author had no vote left
        used[(board, voter)] = used.get((board, voter), 0) + (1 if holds else 0)
        rows.append({"id": len(rows) + 1, "idea_id": row["id"], "user_id": voter, "customer_name": "",
                     "customer_email": None, "source": "web", "note": "", "recorded_by_id": None, "created_at": when})
        ideas.voters[row["id"] - 1].append((voter, when))
        ledger.offer("votes", [ledger.event(voter, "idea_vote", when, earns=voter != author, idea_id=row["id"],
                                            other_user_id=author)])


def _subscriptions(bench: Bench, ideas: Ideas, commenters: list[list[tuple[int, datetime]]]) -> None:
    def rows():
        for row, voters, writers in zip(ideas.rows, ideas.voters, commenters, strict=True):
            if row["deleted_at"] is not None:
                continue
            people = dict.fromkeys([row["author_id"], *(uid for uid, _ in voters if uid), *(uid for uid, _ in writers)])
            for uid in people:
                yield {"user_id": uid, "idea_id": row["id"], "subscribed": True}

    bench.counts["idea_subscriptions"] = bench.insert(Subscription, rows())


def _counters(bench: Bench, ideas: Ideas) -> None:
    """Comment counts, trending scores and last activity, from the rows made (vote tallies: the recount after the tiers)."""
    values = []
    for row, voters, comments in zip(ideas.rows, ideas.voters, ideas.comments, strict=True):
        events = [(trending.VOTE_WEIGHT, when) for _, when in voters] + [(trending.COMMENT_WEIGHT, when) for when in comments]
        moments: list[datetime] = [row["created_at"], *(when for _, when in events)]
        if row["status_changed_at"] is not None:
            moments.append(row["status_changed_at"])
        values.append({"idea": row["id"], "trending": trending.compute(sorted(events, key=lambda e: e[1]), row["created_at"]),
                       "activity": max(moments), "comments": row["comment_count"], "votes": len(voters)})
    table = Idea.__table__
    statement = update(table).where(table.c.id == bindparam("idea")).values(
        trending=bindparam("trending"), activity_at=bindparam("activity"), comment_count=bindparam("comments"),
        vote_count=bindparam("votes"))
    for start in range(0, len(values), 5000):
        bench.session.execute(statement, values[start:start + 5000])
    bench.manifest["idea_with_comments"] = ideas.chatty
    bench.manifest["vote_ideas"] = [r["id"] for r in ideas.rows if r["board_id"] == 1 and r["deleted_at"] is None
                                    and r["status"] == "open"][:200]
