"""Session cookies, CSRF tokens and the login rate limiter.

A session is a signed cookie (itsdangerous) carrying the user id, an expiry and the CSRF
token; nothing is kept server side, so any worker can check it. CSRF uses a signed double
submit: the token is in the readable ``medcoder_csrf`` cookie for the page's script and inside
the signed session, and an unsafe request must send it back (header or form field) equal to
the one in the session. A site that can set cookies on us cannot forge the signed copy.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

SESSION_COOKIE = "medcoder_session"
CSRF_COOKIE = "medcoder_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "[::1]")


@dataclass(frozen=True)
class SessionData:
    user_id: int
    csrf: str
    expires: float


class SessionSigner:
    """Signs and checks session cookies; ``clock`` is injectable so expiry can be tested."""

    def __init__(self, secret: str, max_age: float, clock: Callable[[], float] = time.time) -> None:
        self._serializer = URLSafeSerializer(secret, salt="medcoder.session")
        self.max_age = max_age
        self.clock = clock

    def dump(self, user_id: int, csrf: str) -> str:
        return self._serializer.dumps(
            {"uid": user_id, "csrf": csrf, "exp": self.clock() + self.max_age}
        )

    def load(self, cookie: str) -> SessionData | None:
        """The session, or None if the cookie is forged or malformed."""
        try:
            data = self._serializer.loads(cookie)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not {"uid", "csrf", "exp"} <= data.keys():
            return None
        return SessionData(int(data["uid"]), str(data["csrf"]), float(data["exp"]))

    def expired(self, session: SessionData) -> bool:
        return session.expires <= self.clock()


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def same_token(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


class LoginLimiter:
    """At most ``limit`` login attempts per (username, client address) per ``window`` seconds.

    In memory, per process: enough for one server; a multi-worker deployment needs a shared
    store (noted in the README of the workbench).
    """

    def __init__(
        self, limit: int = 5, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._attempts: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def hit(self, username: str, client: str) -> float | None:
        """Count an attempt; None if allowed, else seconds until the next one is."""
        key = (username.lower(), client)
        now = self.clock()
        with self._lock:
            attempts = self._attempts[key]
            while attempts and attempts[0] <= now - self.window:
                attempts.popleft()
            if len(attempts) >= self.limit:
                return max(1.0, attempts[0] + self.window - now)
            attempts.append(now)
            return None

    def reset(self, username: str, client: str) -> None:
        with self._lock:
            self._attempts.pop((username.lower(), client), None)
