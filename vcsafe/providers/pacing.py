"""Pacing calls to a provider so they run close to its rate limit without tripping it.

A provider publishes a per-second limit (Zoom) or throttles with 429 and Retry-After (Graph),
and the exact figure depends on the customer's plan. The pacer spaces requests evenly at a
rate it believes safe. When the provider refuses one, the pacer takes the rate that was
actually accepted over the last second as the ceiling (but lowers by at most half at a time,
and not at all in a storm of refusals with nothing accepted), settles just below it, and
waits what the provider asked; while nothing is refused it creeps back up slowly, to notice a
raised limit. Compared with sleeping a fixed time after every refusal, this keeps deletions within a
few per cent of the limit and makes refusals rare.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

#: Below the measured ceiling by this factor after a refusal.
SETTLE = 0.95
#: While nothing is refused, the rate grows by this fraction per second (6 % a minute).
CREEP = 0.001


class Pacer:
    """Spaces calls at `rate` per second; learns the real limit from 429 answers."""

    def __init__(
        self,
        rate_per_s: float,
        *,
        min_rate_per_s: float = 0.2,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = float(rate_per_s)
        self._min = min_rate_per_s
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_slot = clock()
        self._last_change = clock()
        self._accepted: deque[float] = deque()
        self._accepted_since_refusal = 0

    def wait_turn(self) -> None:
        """Block until this caller may send its request."""
        with self._lock:
            now = self._clock()
            self._creep(now)
            slot = max(now, self._next_slot)
            self._next_slot = slot + 1.0 / self.rate
        if slot > now:
            self._sleep(slot - now)

    def accepted(self) -> None:
        """The provider took the request."""
        with self._lock:
            now = self._clock()
            self._accepted.append(now)
            self._accepted_since_refusal += 1
            while self._accepted and self._accepted[0] <= now - 1.0:
                self._accepted.popleft()

    def refused(self, retry_after: float | None) -> float:
        """The provider said 429: lower the rate to just under what it accepted, and hold
        every caller back for `retry_after` (or a second). Returns the wait."""
        with self._lock:
            now = self._clock()
            while self._accepted and self._accepted[0] <= now - 1.0:
                self._accepted.popleft()
            # Only a refusal after requests were accepted says something about the rate; the
            # next ones in a storm of refusals (an outage, a daily quota) do not. A refusal
            # after a quiet second (others share the limit) at most halves the rate.
            if self._accepted_since_refusal:
                ceiling = max(float(len(self._accepted)), self.rate / 2)
                self.rate = max(self._min, min(self.rate, ceiling) * SETTLE)
            self._accepted_since_refusal = 0
            self._last_change = now
            # Without Retry-After, a per-second limit has certainly passed after a second.
            wait = retry_after if retry_after is not None else 1.0
            self._next_slot = max(self._next_slot, now + wait)
            return wait

    def _creep(self, now: float) -> None:
        elapsed = now - self._last_change
        if elapsed >= 1.0:
            self.rate *= (1.0 + CREEP) ** elapsed
            self._last_change = now
