"""Votes weighted by tier feed an idea's demand, and superfan votes are shown apart on the priorities page
and in its CSV export (issue 10, point 7). The tier is read when the page is drawn, so a member the fans
feature promotes or demotes weighs differently at once."""
from __future__ import annotations

import csv
import html
import io
import re

from portal.accounts.models import Tier
from portal.extensions import db
from portal.feedback import service
from portal.kernel.uow import commit


def cells(response, idea) -> dict[str, str]:
    """The priorities row of `idea`: {column label: shown number}."""
    page = html.unescape(response.get_data(as_text=True))
    row = re.search(r'<tr>\s*<td class="priority-idea"[^>]*><div><a href="/ideas/%d">.*?</tr>' % idea.id, page, re.S)
    assert row, "the idea has a row"
    return dict(re.findall(r'<td class="num" data-label="([^"]+)">(?:<strong>)?([^<]*)', row.group(0)))


def test_superfan_votes_weigh_triple_and_are_shown_apart(board, make_idea, make_member, staff, login):
    idea = make_idea("Lighter tent poles")  # its author's vote: a member's, weight 1
    for tier in (Tier.FAN, Tier.SUPERFAN, Tier.SUPERFAN):
        service.cast_vote(db.session, idea, make_member(tier=tier))
    quiet = make_idea("Quieter zips")
    service.cast_vote(db.session, quiet, make_member(tier=Tier.FAN))

    browser = login(staff)
    shown = cells(browser.get("/staff/priorities"), idea)
    assert shown["Votes"] == "4" and shown["Superfans"] == "2"
    assert shown["Demand"] == "9"  # 1 + 2 + 3 + 3
    other = cells(browser.get("/staff/priorities"), quiet)
    assert (other["Superfans"], other["Demand"]) == ("0", "3")

    rows = list(csv.DictReader(io.StringIO(browser.get("/staff/priorities.csv").get_data(as_text=True))))
    by_title = {r["title"]: r for r in rows}
    assert (by_title["Lighter tent poles"]["superfan_votes"], by_title["Lighter tent poles"]["demand"]) == ("2", "9")

    ranked = html.unescape(browser.get("/staff/priorities?sort=superfans").get_data(as_text=True))
    assert ranked.index("Lighter tent poles") < ranked.index("Quieter zips")


def test_a_new_tier_changes_the_demand_at_once(board, make_idea, make_member, staff, login):
    idea = make_idea("Lighter tent poles")
    voter = make_member(tier=Tier.MEMBER)
    service.cast_vote(db.session, idea, voter)
    browser = login(staff)
    assert (cells(browser.get("/staff/priorities"), idea)["Demand"]) == "2"
    voter.tier = Tier.SUPERFAN  # promoted by the fans feature, whose services commit so
    commit(db.session)
    shown = cells(browser.get("/staff/priorities"), idea)
    assert (shown["Superfans"], shown["Demand"]) == ("1", "4")
