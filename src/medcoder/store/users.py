"""Users, passwords and API tokens.

Passwords are hashed with Argon2id (argon2-cffi's defaults follow RFC 9106's recommendation);
a hash made with older parameters is re-hashed on the next successful login. Each hash costs
64 MiB of memory, so at most :data:`HASHING` hashes run at once, whatever the number of
logins arriving together (issue 18: 16 parallel logins must not take a gigabyte). The
password policy is :mod:`medcoder.store.passwords`; a password is stored exactly as typed.

API tokens are 256-bit random strings, so a plain SHA-256 of them is enough to store and look
them up by. A token expires (:data:`TOKEN_DAYS` by default, at most :data:`TOKEN_MAX_DAYS`),
can be listed and revoked by its owner, and one made from a signed-in session ends with it
unless it was asked to outlive it (a system's token).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import secrets
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from medcoder.store.base import Role, utcnow
from medcoder.store.errors import BusyError, ConflictError, InvalidError, NotFoundError
from medcoder.store.models import ApiToken, User, UserSession
from medcoder.store.passwords import check_password

_hasher = PasswordHasher()
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
TOKEN_PREFIX = "mct_"
TOKEN_DAYS = 30
TOKEN_MAX_DAYS = 365
LAST_USED_EVERY = dt.timedelta(minutes=1)  # how fresh an API token's last_used_at is kept
HASH_WAIT = 20.0  # seconds a login waits for a hashing slot before it is answered 503


class HashGate:
    """At most ``limit`` Argon2 computations at once; ``peak`` is the most seen together."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._slots = threading.BoundedSemaphore(limit)
        self._lock = threading.Lock()
        self.in_use = 0
        self.peak = 0

    @contextlib.contextmanager
    def slot(self, wait: float = HASH_WAIT):  # noqa: ANN201 - a context manager
        if not self._slots.acquire(timeout=wait):
            raise BusyError("the server is busy checking passwords; retry in a few seconds")
        with self._lock:
            self.in_use += 1
            self.peak = max(self.peak, self.in_use)
        try:
            yield
        finally:
            with self._lock:
                self.in_use -= 1
            self._slots.release()


HASHING = HashGate(max(1, min(4, os.cpu_count() or 1)))
# Verified against when the username is unknown, so a login takes as long either way and the
# response time does not tell which usernames exist.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    with HASHING.slot():
        return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; against a dummy hash when there is no user, so the time
    taken does not tell."""
    with HASHING.slot():
        try:
            return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
        except (VerificationError, InvalidHashError):
            return False


def check_role(role: str) -> str:
    try:
        return Role(role).value
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise InvalidError(f"unknown role {role!r}; allowed: {allowed}", field="role") from None


def check_username(username: str) -> None:
    if not USERNAME.match(username):
        raise InvalidError(
            "username must be 1-64 letters, digits, '.', '_' or '-', starting with a letter "
            "or digit",
            field="username",
        )


def create_user(
    session: Session, username: str, password: str, role: str, display_name: str | None = None
) -> User:
    check_username(username)
    check_password(password, username=username, display_name=display_name)
    role = check_role(role)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ConflictError(f"user {username!r} already exists", field="username")
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        display_name=display_name,
        password_changed_at=utcnow(),
    )
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFoundError("user", username)
    return user


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this password, or None; never says which part was wrong."""
    user = session.scalar(select(User).where(User.username == username))
    usable = user is not None and user.active
    if not verify_password(user.password_hash if usable else None, password):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def set_password(
    session: Session, user: User, password: str, *, keep_session: int | None = None
) -> None:
    """Set a new password (the policy applies) and end the user's sessions and tokens, all
    but the session ``keep_session`` (the one changing its own password)."""
    check_password(password, username=user.username, display_name=user.display_name)
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    end_sessions(session, user.id, keep=keep_session)
    revoke_tokens(session, user.id)
    session.flush()


def set_active(session: Session, user: User, active: bool) -> None:
    """Enable or disable an account; disabling ends its sessions and tokens at once. The last
    active admin cannot be disabled (nobody could manage users any more)."""
    if not active and user.role == Role.ADMIN.value and user.active:
        admins = session.scalar(
            select(func.count(User.id)).where(User.role == Role.ADMIN.value, User.active)
        )
        if (admins or 0) <= 1:
            raise ConflictError(
                f"{user.username!r} is the last active admin; create another admin first",
                field="username",
            )
    user.active = active
    if not active:
        end_sessions(session, user.id)
        revoke_tokens(session, user.id)
    session.flush()


def end_sessions(session: Session, user_id: int, *, keep: int | None = None) -> int:
    """Revoke the user's open sessions (except ``keep``) and the tokens bound to them."""
    now = utcnow()
    stmt = update(UserSession).where(
        UserSession.user_id == user_id, UserSession.revoked_at.is_(None)
    )
    if keep is not None:
        stmt = stmt.where(UserSession.id != keep)
    ended = session.execute(stmt.values(revoked_at=now)).rowcount or 0
    bound = select(UserSession.id).where(
        UserSession.user_id == user_id, UserSession.revoked_at.is_not(None)
    )
    session.execute(
        update(ApiToken)
        .where(ApiToken.session_id.in_(bound), ApiToken.revoked.is_(False))
        .values(revoked=True, revoked_at=now)
    )
    return ended


def revoke_tokens(session: Session, user_id: int) -> int:
    return (
        session.execute(
            update(ApiToken)
            .where(ApiToken.user_id == user_id, ApiToken.revoked.is_(False))
            .values(revoked=True, revoked_at=utcnow())
        ).rowcount
        or 0
    )


def count_users(session: Session) -> int:
    return session.scalar(select(func.count(User.id))) or 0


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.id)))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(
    session: Session,
    user: User,
    name: str,
    *,
    expires_in_days: int | None = None,
    session_id: int | None = None,
) -> tuple[ApiToken, str]:
    """A new token row and the token itself, which is shown once and never stored.

    Every token expires (``expires_in_days``, default :data:`TOKEN_DAYS`); with
    ``session_id`` it also ends when that session ends."""
    days = expires_in_days or TOKEN_DAYS
    if not 1 <= days <= TOKEN_MAX_DAYS:
        raise InvalidError(
            f"expires_in_days must be 1 to {TOKEN_MAX_DAYS}", field="expires_in_days"
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=_token_hash(token),
        expires_at=utcnow() + dt.timedelta(days=days),
        session_id=session_id,
    )
    session.add(row)
    session.flush()
    return row, token


def list_tokens(session: Session, user_id: int) -> list[ApiToken]:
    stmt = select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id)
    return list(session.scalars(stmt))


def revoke_token(session: Session, user_id: int, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens (another user's is "not found")."""
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user_id:
        raise NotFoundError("api token", token_id)
    if not row.revoked:
        row.revoked, row.revoked_at = True, utcnow()
        session.flush()
    return row


def user_for_token(session: Session, token: str) -> User | None:
    """The active user owning an unexpired, unrevoked token, or None.

    One query (token and user together): it runs on every API call. ``last_used_at`` is
    written at most once per :data:`LAST_USED_EVERY`, so a busy system does not turn each of
    its reads into a write.
    """
    found = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == _token_hash(token))
    ).first()
    if found is None:
        return None
    row, user = found
    if row.revoked or not user.active:
        return None
    now = utcnow()
    if row.expires_at is not None and _aware(row.expires_at) <= now:
        return None
    if row.last_used_at is None or now - _aware(row.last_used_at) >= LAST_USED_EVERY:
        row.last_used_at = now
    return user


def _aware(when: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes (stored as UTC); PostgreSQL aware ones."""
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def bootstrap_admin(session: Session, username: str = "admin") -> str | None:
    """On an empty database, create an admin with a random password and return the password
    (to show once); None when users already exist."""
    if count_users(session) > 0:
        return None
    password = secrets.token_urlsafe(18)  # 144 random bits, never on the common list
    create_user(session, username, password, Role.ADMIN.value, "Administrator")
    return password
