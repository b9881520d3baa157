"""Session cookies, CSRF tokens and the login rate limiter.

A session is a signed cookie (itsdangerous) carrying the user id, the session's key, an expiry
and the CSRF token. The signature and expiry are checked without the database; the key names
a row of ``user_sessions`` (:mod:`medcoder.store.user_sessions`), so a session ends on the
server at log out, after the idle timeout, or when the user is disabled. CSRF uses a signed double
submit: the token is in the readable ``medcoder_csrf`` cookie for the page's script and inside
the signed session, and an unsafe request must send it back (header or form field) equal to
the one in the session. A site that can set cookies on us cannot forge the signed copy.
"""

from __future__ import annotations

import datetime as dt
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


SESSION_IDLE = 30 * 60  # seconds without a request that end a session (ASVS 3.3.2)


@dataclass(frozen=True)
class SessionData:
    user_id: int
    key: str
    csrf: str
    expires: float


class SessionSigner:
    """Signs and checks session cookies; ``clock`` is injectable so expiry can be tested."""

    def __init__(self, secret: str, max_age: float, clock: Callable[[], float] = time.time) -> None:
        self._serializer = URLSafeSerializer(secret, salt="medcoder.session")
        self.max_age = max_age
        self.clock = clock

    def now(self) -> dt.datetime:
        """The clock as a UTC datetime, for the session rows."""
        return dt.datetime.fromtimestamp(self.clock(), dt.UTC)

    def dump(self, user_id: int, key: str, csrf: str) -> str:
        return self._serializer.dumps(
            {"uid": user_id, "key": key, "csrf": csrf, "exp": self.clock() + self.max_age}
        )

    def load(self, cookie: str) -> SessionData | None:
        """The session, or None if the cookie is forged or malformed."""
        try:
            data = self._serializer.loads(cookie)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not {"uid", "key", "csrf", "exp"} <= data.keys():
            return None
        try:
            return SessionData(
                int(data["uid"]), str(data["key"]), str(data["csrf"]), float(data["exp"])
            )
        except (TypeError, ValueError):
            return None

    def expired(self, session: SessionData) -> bool:
        return session.expires <= self.clock()


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def same_token(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


class LoginLimiter:
    """Login throttling, in three buckets (OWASP ASVS 2.2.1):

    * attempts per (username, client address): ``limit`` per ``window`` seconds;
    * failed logins per account, from anywhere: ``account_failures`` per ``failure_window``
      (guessing one user's password from many addresses);
    * failed logins per client address, whatever the account: ``source_failures`` per
      ``failure_window`` (spraying one password across many users).

    A full bucket answers 429 with the wait; the attempt is not checked, so it costs no hash.
    In memory, per process: enough for one server; a multi-worker deployment divides the
    limits' effect by its workers (noted in docs/security.md).
    """

    def __init__(
        self,
        limit: int = 5,
        window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        *,
        account_failures: int = 10,
        source_failures: int = 10,
        failure_window: float = 600.0,
    ) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self.account_failures = account_failures
        self.source_failures = source_failures
        self.failure_window = failure_window
        self._attempts: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _wait(self, bucket: deque[float], limit: int, window: float, now: float) -> float | None:
        while bucket and bucket[0] <= now - window:
            bucket.popleft()
        if len(bucket) >= limit:
            return max(1.0, bucket[0] + window - now)
        return None

    def hit(self, username: str, client: str) -> float | None:
        """Count an attempt; None if allowed, else seconds until the next one is."""
        now = self.clock()
        with self._lock:
            waits = [
                self._wait(
                    self._failures[("account", username.lower())],
                    self.account_failures,
                    self.failure_window,
                    now,
                ),
                self._wait(
                    self._failures[("source", client)],
                    self.source_failures,
                    self.failure_window,
                    now,
                ),
            ]
            attempts = self._attempts[(username.lower(), client)]
            waits.append(self._wait(attempts, self.limit, self.window, now))
            refused = [w for w in waits if w is not None]
            if refused:
                return max(refused)
            attempts.append(now)
            return None

    def failed(self, username: str, client: str) -> None:
        """Count a failed login against the account and the source."""
        now = self.clock()
        with self._lock:
            self._failures[("account", username.lower())].append(now)
            self._failures[("source", client)].append(now)

    def reset(self, username: str, client: str) -> None:
        """A successful login clears its (username, client) attempts; failures still count."""
        with self._lock:
            self._attempts.pop((username.lower(), client), None)
