"""Users, passwords and API tokens.

Passwords are hashed with Argon2id (argon2-cffi's defaults follow RFC 9106's recommendation);
a hash made with older parameters is re-hashed on the next successful login. API tokens are
256-bit random strings, so a plain SHA-256 of them is enough to store and look them up by.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from medcoder.store.base import Role, utcnow
from medcoder.store.errors import ConflictError, InvalidError
from medcoder.store.models import ApiToken, User

_hasher = PasswordHasher()
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MIN_PASSWORD = 10
TOKEN_PREFIX = "mct_"
# Verified against when the username is unknown, so a login takes as long either way and the
# response time does not tell which usernames exist.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
LAST_USED_EVERY = dt.timedelta(minutes=1)  # how fresh an API token's last_used_at is kept


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_role(role: str) -> str:
    try:
        return Role(role).value
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise InvalidError(f"unknown role {role!r}; allowed: {allowed}", field="role") from None


def create_user(
    session: Session, username: str, password: str, role: str, display_name: str | None = None
) -> User:
    if not USERNAME.match(username):
        raise InvalidError(
            "username must be 1-64 letters, digits, '.', '_' or '-', starting with a letter "
            "or digit",
            field="username",
        )
    if len(password) < MIN_PASSWORD:
        raise InvalidError(
            f"password must have at least {MIN_PASSWORD} characters", field="password"
        )
    role = check_role(role)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ConflictError(f"user {username!r} already exists", field="username")
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        display_name=display_name,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this password, or None; never says which part was wrong."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def count_users(session: Session) -> int:
    return session.scalar(select(func.count(User.id))) or 0


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.id)))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(
    session: Session, user: User, name: str, *, expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """A new token row and the token itself, which is shown once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = utcnow() + dt.timedelta(days=expires_in_days) if expires_in_days else None
    row = ApiToken(user_id=user.id, name=name, token_hash=_token_hash(token), expires_at=expires)
    session.add(row)
    session.flush()
    return row, token


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
    password = secrets.token_urlsafe(18)
    create_user(session, username, password, Role.ADMIN.value, "Administrator")
    return password
