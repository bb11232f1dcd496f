"""Staff access: the login backoff and lockout per client, and the feedback export served once per login."""

from __future__ import annotations

import json

import pytest

from assistant.feedback import FeedbackStore
from assistant.staff import EXPORT_ROUTE, ExportTokens, LoginGuard, add_export_route, export_link


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def guard(clock) -> LoginGuard:
    return LoginGuard("secret", max_failures=3, backoff_s=1.0, lockout_s=600.0, clock=clock)


def test_each_wrong_password_doubles_the_wait_before_the_next_try(guard, clock):
    first = guard("10.0.0.1", "wrong")
    assert (first.ok, first.retry_after_s) == (False, 1.0)
    clock.now += 1.0
    second = guard("10.0.0.1", "wrong")
    assert (second.ok, second.retry_after_s) == (False, 2.0)
    assert "再错 1 次将被锁定" in second.message


def test_a_try_during_the_backoff_is_refused_unchecked_even_with_the_right_password(guard, clock):
    guard("10.0.0.1", "wrong")
    clock.now += 0.5
    early = guard("10.0.0.1", "secret")
    assert not early.ok and early.retry_after_s == pytest.approx(0.5)
    assert "过于频繁" in early.message
    clock.now += 0.5
    assert guard("10.0.0.1", "secret").ok  # the early try did not count as a failure


def test_the_right_password_does_not_work_during_a_lockout(guard, clock):
    for wait in (1.0, 2.0, 0.0):
        result = guard("10.0.0.1", "wrong")
        clock.now += wait
    assert "已锁定" in result.message and result.retry_after_s == 600.0
    clock.now += 10 * 60 - 1
    locked = guard("10.0.0.1", "secret")
    assert not locked.ok and "已锁定" in locked.message
    clock.now += 1
    assert guard("10.0.0.1", "secret").ok


def test_lockout_is_per_client(guard, clock):
    for wait in (1.0, 2.0, 0.0):
        guard("10.0.0.1", "wrong")
        clock.now += wait
    assert not guard("10.0.0.1", "secret").ok
    assert guard("10.0.0.2", "secret").ok


def test_success_forgets_earlier_failures(guard, clock):
    guard("10.0.0.1", "wrong")
    clock.now += 1.0
    assert guard("10.0.0.1", "secret").ok
    again = guard("10.0.0.1", "wrong")
    assert again.retry_after_s == 1.0  # counted from one again, not two


def test_without_a_password_nobody_logs_in(clock):
    guard = LoginGuard(None, max_failures=3, backoff_s=1.0, lockout_s=600.0, clock=clock)
    assert not guard.enabled
    assert not guard("10.0.0.1", "").ok


def test_an_export_link_works_once(clock):
    tokens = ExportTokens(ttl_s=60, clock=clock)
    token = tokens.issue()
    assert export_link(token) == f"staff/feedback.jsonl?token={token}"
    assert tokens.redeem(token)
    assert not tokens.redeem(token)
    assert not tokens.redeem("")


def test_an_export_link_expires(clock):
    tokens = ExportTokens(ttl_s=60, clock=clock)
    token = tokens.issue()
    clock.now += 60
    assert not tokens.redeem(token)


def test_the_export_route_streams_rows_for_a_valid_link_only_and_writes_no_file(tmp_path):
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    data = tmp_path / "data"
    feedback = FeedbackStore(data / "feedback.sqlite3")
    feedback.add("班主任每月能多拿多少钱?", "每班每月900元。[1]", [], 1, comment="准确")
    tokens = ExportTokens()
    app = FastAPI()
    add_export_route(app, tokens, feedback)
    client = TestClient(app)

    assert client.get(EXPORT_ROUTE).status_code == 403
    assert client.get(EXPORT_ROUTE, params={"token": "guessed"}).status_code == 403
    token = tokens.issue()
    r = client.get(EXPORT_ROUTE, params={"token": token})
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["content-disposition"].startswith('attachment; filename="feedback-')
    assert [json.loads(line)["comment"] for line in r.text.splitlines()] == ["准确"]
    assert client.get(EXPORT_ROUTE, params={"token": token}).status_code == 403  # the same link again
    assert sorted(p.name for p in data.iterdir()) == ["feedback.sqlite3"]
