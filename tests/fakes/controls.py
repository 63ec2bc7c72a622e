"""What every provider fake offers a test beyond its API: running it, faults and the call log
through its FakeServer (ServedFake), and the provider's per-second limit (SlidingSecond)."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from typing import Any, Self

from tests.fakes.server import FakeServer, Fault, RecordedRequest


class SlidingSecond:
    """A provider's per-second limit: at most `limit` requests in any sliding second to the
    paths that contain `fragment` (every path when None). Off until set()."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rate: tuple[float, str | None] | None = None
        self._hits: deque[float] = deque()

    def set(self, per_second: float | None, fragment: str | None = None) -> None:
        """Limit to `per_second`; None lifts the limit."""
        with self._lock:
            self._rate = None if per_second is None else (per_second, fragment)
            self._hits.clear()

    def refuse(self, path: str) -> int | None:
        """None, counting the request, when it may go ahead; else the whole seconds until the
        oldest counted request leaves the window (for Retry-After)."""
        with self._lock:
            if self._rate is None:
                return None
            limit, fragment = self._rate
            if fragment is not None and fragment not in path:
                return None
            now = time.monotonic()
            while self._hits and self._hits[0] <= now - 1.0:
                self._hits.popleft()
            if len(self._hits) < limit:
                self._hits.append(now)
                return None
            return max(1, math.ceil(1.0 - (now - self._hits[0])))


class ServedFake:
    """What every provider fake offers a test, through its FakeServer: running it on loopback,
    the requests it refused as breaking the provider's rules, faults and the call log."""

    server: FakeServer

    def start(self, port: int = 0) -> Self:
        """Serve on 127.0.0.1 (a random free port by default)."""
        self.server.start(port)
        return self

    def stop(self) -> None:
        """Stop serving."""
        self.server.stop()

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def violations(self) -> list[str]:
        """Requests that broke the official description or the provider's unstated rules."""
        return self.server.violations

    def take_violations(self) -> list[str]:
        """Return and forget the recorded violations (for tests that provoke them)."""
        found = list(self.server.violations)
        self.server.violations.clear()
        return found

    def inject(self, kind: str, **kw: Any) -> Fault:
        """Make the next matching requests fail: see Fault."""
        return self.server.inject(kind, **kw)

    def down(self) -> Any:
        """A context in which every request fails with 503."""
        return self.server.down()

    def calls(self, method: str, path_contains: str = "") -> list[RecordedRequest]:
        """Recorded requests by method and path fragment."""
        return self.server.calls(method, path_contains)
