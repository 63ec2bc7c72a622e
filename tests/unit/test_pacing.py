"""The pacer keeps calls close to a provider's limit: fast, and rarely refused."""

from __future__ import annotations

import itertools
from collections import deque

import requests

from vcsafe.providers.http import RetryPolicy, send_with_retries
from vcsafe.providers.pacing import Pacer


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)


class LimitedProvider:
    """Accepts at most `limit` requests in any sliding second; refuses the rest with 429."""

    def __init__(self, clock: Clock, limit: int, retry_after: str | None) -> None:
        self.clock, self.limit, self.retry_after = clock, limit, retry_after
        self.window: deque[float] = deque()
        self.answers: list[int] = []

    def send(self) -> requests.Response:
        now = self.clock()
        while self.window and self.window[0] <= now - 1.0:
            self.window.popleft()
        response = requests.Response()
        response.request = requests.Request("DELETE", "http://fake/v2/x").prepare()
        if len(self.window) >= self.limit:
            response.status_code = 429
            if self.retry_after is not None:
                response.headers["Retry-After"] = self.retry_after
        else:
            self.window.append(now)
            response.status_code = 204
        self.answers.append(response.status_code)
        return response


def _run(start_rate: float, limit: int, n: int, retry_after: str | None) -> tuple[float, list[int]]:
    clock = Clock()
    pacer = Pacer(start_rate, clock=clock, sleep=clock.sleep)
    provider = LimitedProvider(clock, limit, retry_after)
    for _ in range(n):
        response = send_with_retries(
            provider.send,
            what="delete a recording",
            provider="Zoom",
            policy=RetryPolicy(),
            pacer=pacer,
            sleep=clock.sleep,
        )
        assert response.status_code == 204
    return n / clock.now, provider.answers


def _refused_twice_in_a_row(answers: list[int]) -> bool:
    return any(a == b == 429 for a, b in itertools.pairwise(answers))


def test_settles_just_under_a_lower_limit_than_it_started_with() -> None:
    rate, answers = _run(start_rate=30, limit=20, n=3000, retry_after="1")
    assert 0.9 * 20 <= rate <= 20
    assert answers.count(429) <= 5  # learns the limit, then stays under it
    assert not _refused_twice_in_a_row(answers)


def test_without_retry_after_it_still_backs_off_in_time() -> None:
    rate, answers = _run(start_rate=50, limit=10, n=1500, retry_after=None)
    assert 0.9 * 10 <= rate <= 10
    assert not _refused_twice_in_a_row(answers)


def test_retry_after_is_honoured_for_every_caller() -> None:
    clock = Clock()
    pacer = Pacer(10, clock=clock, sleep=clock.sleep)
    pacer.wait_turn()
    pacer.accepted()
    assert pacer.refused(2.5) == 2.5
    pacer.wait_turn()
    assert clock.now >= 2.5


def test_a_raised_limit_is_found_again_slowly() -> None:
    clock = Clock()
    pacer = Pacer(10, clock=clock, sleep=clock.sleep)
    for _ in range(3000):  # about five minutes with nothing refused
        pacer.wait_turn()
        pacer.accepted()
    assert 12 < pacer.rate < 15


def test_a_storm_of_refusals_does_not_throttle_vcsafe_for_good() -> None:
    clock = Clock()
    pacer = Pacer(20, clock=clock, sleep=clock.sleep)
    for _ in range(20):  # a second at the learnt rate
        pacer.wait_turn()
        pacer.accepted()
    pacer.refused(1.0)  # the first refusal of an outage: settles under what was accepted
    after_first = pacer.rate
    for _ in range(50):  # the outage goes on: nothing is accepted any more
        pacer.wait_turn()
        pacer.refused(1.0)
    assert pacer.rate == after_first >= 18
