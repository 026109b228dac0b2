"""Rate limits a crowd can live with: per account, shared by every worker, and a 429 page that says how long."""
from __future__ import annotations

import html
import math
import multiprocessing
import re
import time

import pytest
from flask import Flask

from portal.extensions import db
from portal.kernel import ratelimits
from portal.kernel.ratelimits import SQLiteStorage

PASSWORD = "correct horse battery staple"  # the password conftest gives every member
EVENT_WIFI = {"REMOTE_ADDR": "198.51.100.7"}


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def sign_in(app: Flask, email: str, password: str = PASSWORD, address: dict | None = None):
    browser = app.test_client()
    response = browser.post("/login", data={"email": email, "password": password}, environ_base=address or EVENT_WIFI)
    return browser, response


# -- member actions are counted per account -------------------------------------------------------


@pytest.fixture
def ideas(app, admin, make_member):
    from portal.feedback import service, triage  # only this fixture needs the feedback feature
    from portal.feedback.models import Visibility

    author = make_member(display_name="Idea Author")
    with app.test_request_context():
        board = triage.save_board(db.session, admin, None, name="Event ideas", slug="event-ideas", description="",
                                  visibility=Visibility.PUBLIC, vote_budget=10, categories="Tents")
        made = [service.submit_idea(db.session, board, author, title=f"Event idea number {n}")[0] for n in range(3)]
    return [idea.id for idea in made]


def test_twelve_fans_behind_one_event_wifi_can_each_vote(app, make_member, ideas):
    """36 votes from one address in a minute: more than the 30 a minute one member may cast."""
    fans = [make_member(display_name=f"Fan {n}") for n in range(12)]
    answers = []
    for fan in fans:
        browser, response = sign_in(app, fan.email)
        assert response.status_code == 302
        for idea_id in ideas:
            answers.append(browser.post(f"/ideas/{idea_id}/vote", environ_base=EVENT_WIFI).status_code)
    assert 429 not in answers and len(answers) == 36


def test_one_member_is_still_limited_whatever_address_they_use(app, member, ideas):
    browser, _response = sign_in(app, member.email)
    answers = [browser.post(f"/ideas/{ideas[0]}/{'vote' if n % 2 == 0 else 'unvote'}",
                            environ_base={"REMOTE_ADDR": f"203.0.113.{n}"}).status_code for n in range(62)]
    assert 429 in answers


# -- sign-in ----------------------------------------------------------------------------------------


def test_successful_sign_ins_do_not_use_up_the_limit(app, member):
    for _ in range(15):
        _browser, response = sign_in(app, member.email)
        assert response.status_code == 302


WRONG = "wrong guess wrong guess"
# One address, as sign-in finds it, typed seven ways: full-width letters in the domain, capitals, spaces.
MARIE_SPELLINGS = ["marie@ｅxample.com", "MARIE@ＥＸＡＭＰＬＥ.COM", " Marie@exａmple.com ", "marie@examｐle.ｃom",
                   "marie@EXAMPLE.com", "Marie@Example.Com", "marie@example.com"]


@pytest.fixture
def fast_passwords(monkeypatch):
    """Skip the slow hashing of many wrong passwords: only the password conftest gives is right."""
    from portal.accounts import sessions  # only the sign-in tests that try dozens of passwords need this

    monkeypatch.setattr(sessions, "check_password_hash", lambda _stored, password: password == PASSWORD)


def test_failures_stop_the_guesser_not_the_owner_nor_the_address(app, member, stranger):
    for _ in range(10):
        assert sign_in(app, member.email, WRONG)[1].status_code == 422
    # The guesser's address is stopped on this account, even with the right password ...
    assert sign_in(app, member.email)[1].status_code == 429
    # ... while the owner, from anywhere else, signs in: one guesser cannot lock a member out ...
    assert sign_in(app, member.email, address={"REMOTE_ADDR": "192.0.2.99"})[1].status_code == 302
    # ... and everyone else behind the guesser's address signs in too.
    assert sign_in(app, stranger.email)[1].status_code == 302


def test_other_spellings_of_the_address_count_against_the_same_account(app, member, fast_passwords):
    answers = [sign_in(app, MARIE_SPELLINGS[n % len(MARIE_SPELLINGS)], WRONG)[1].status_code for n in range(10)]
    assert answers == [422] * 10  # each spelling is Marie's account: a real try at her password
    for spelling in MARIE_SPELLINGS:
        assert sign_in(app, spelling)[1].status_code == 429


def test_one_address_failing_all_hour_never_locks_the_owner_out(app, member, fast_passwords, monkeypatch):
    """At most 10 failures per 15 minutes from one address: 40 an hour, under the 50 that slow an account down.
    The tries refused with a 429 do not count towards those 50, however many the guesser makes."""
    start = time.time()
    for quarter in range(4):
        monkeypatch.setattr(ratelimits.time, "time", lambda offset=quarter * 901: start + offset)
        answers = [sign_in(app, member.email, WRONG)[1].status_code for _ in range(30)]
        assert answers == [422] * 10 + [429] * 20
        assert sign_in(app, member.email, address={"REMOTE_ADDR": "192.0.2.99"})[1].status_code == 302


def test_many_addresses_guessing_one_account_slow_it_down(app, member, stranger, fast_passwords):
    """50 failures an hour from anywhere, five from each of ten addresses, close the account for a while."""
    for n in range(49):
        assert sign_in(app, member.email, WRONG, address={"REMOTE_ADDR": f"203.0.113.{n // 5}"})[1].status_code == 422
    assert sign_in(app, member.email, address={"REMOTE_ADDR": "192.0.2.98"})[1].status_code == 302  # 49: not yet
    assert sign_in(app, member.email, WRONG, address={"REMOTE_ADDR": "203.0.113.9"})[1].status_code == 422
    refused = sign_in(app, MARIE_SPELLINGS[0], address={"REMOTE_ADDR": "192.0.2.99"})[1]
    assert refused.status_code == 429 and 3500 <= int(refused.headers["Retry-After"]) <= 3601
    assert sign_in(app, stranger.email, address={"REMOTE_ADDR": "203.0.113.9"})[1].status_code == 302


def test_one_address_failing_on_many_accounts_is_still_stopped(app, fast_passwords):
    answers = [sign_in(app, f"nobody{n}@example.com", WRONG)[1].status_code for n in range(61)]
    assert answers[:60] == [422] * 60 and answers[60] == 429


# -- the 429 page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("language, pattern", [("en", r"Try again in (\d+) minutes?\."),
                                               ("fr", r"Réessayez dans (\d+) minutes?\.")])
def test_the_429_page_says_how_long_to_wait_as_retry_after_does(app, make_member, language, pattern):
    unverified = make_member(email_verified_at=None, locale=language)
    browser, _response = sign_in(app, unverified.email)
    for _ in range(3):
        assert browser.post("/verify/resend").status_code == 302
    refused = browser.post("/verify/resend")
    assert refused.status_code == 429
    seconds = int(refused.headers["Retry-After"])
    assert 590 <= seconds <= 601  # "3 per 10 minutes" (the limiter rounds its reset up), not "wait a minute"
    minutes = int(re.search(pattern, page(refused)).group(1))
    assert minutes == math.ceil(seconds / 60)
    assert "Wait a minute" not in page(refused)


@pytest.mark.parametrize("seconds, text", [(1, "Try again in 1 second."), (42, "Try again in 42 seconds."),
                                           (60, "Try again in 1 minute."), (2539, "Try again in 43 minutes."),
                                           (5340, "Try again in 89 minutes."), (7200, "Try again in 2 hours.")])
def test_wait_text(app, seconds, text):
    with app.test_request_context():
        assert ratelimits.wait_text(seconds) == text


# -- counters shared by every worker ---------------------------------------------------------------


def test_without_redis_the_counters_live_in_the_instance_folder(app):
    assert app.config["RATELIMIT_STORAGE_URI"] == f"sqlite:///{app.instance_path}/ratelimits.db"


def test_two_workers_count_into_the_same_window(tmp_path):
    uri = f"sqlite:///{tmp_path}/ratelimits.db"
    first, second = SQLiteStorage(uri), SQLiteStorage(uri)
    assert [first.incr("k", 60), second.incr("k", 60), first.incr("k", 60)] == [1, 2, 3]
    assert second.get("k") == 3 and abs(second.get_expiry("k") - (time.time() + 60)) < 2
    second.clear("k")
    assert first.get("k") == 0


def test_a_window_that_ended_starts_again(tmp_path, monkeypatch):
    storage = SQLiteStorage(f"sqlite:///{tmp_path}/ratelimits.db")
    now = time.time()
    monkeypatch.setattr(ratelimits.time, "time", lambda: now)
    assert [storage.incr("k", 10), storage.incr("k", 10)] == [1, 2]
    monkeypatch.setattr(ratelimits.time, "time", lambda: now + 11)
    assert storage.get("k") == 0 and storage.incr("k", 10) == 1
    assert storage.get_expiry("k") == pytest.approx(now + 21)


def _hammer(uri: str, times: int) -> None:
    storage = SQLiteStorage(uri)
    for _ in range(times):
        storage.incr("shared", 60)


def test_counting_from_two_processes_loses_nothing(tmp_path):
    uri = f"sqlite:///{tmp_path}/ratelimits.db"
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_hammer, args=(uri, 100)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [worker.exitcode for worker in workers] == [0, 0]
    assert SQLiteStorage(uri).get("shared") == 200

