"""The password policy (OWASP ASVS 4.0 level 2, section 2.1; NIST SP 800-63B 5.1.1.2).

At least 12 characters and at most 1,024, kept exactly as typed: no trimming, no case
folding, any Unicode, no rules on character classes (ASVS 2.1.1, 2.1.4, 2.1.9). Refused:
passwords on the list of common and breached passwords shipped with medcoder
(``data/common-passwords.txt.gz``, the 20,000 most common passwords as shipped by Django; see
``data/COMMON-PASSWORDS-LICENSE.txt``), such a password with digits or symbols added around it
("password1234!"), one repeated or sequential run ("aaaaaaaaaaaa", "123456789012",
"qwertyuiopas"), and one containing the user's name (ASVS 2.1.7, NIST "context-specific
words"). Each refusal says which rule, never echoing the password.
"""

from __future__ import annotations

import gzip
import re
from functools import cache
from importlib import resources

from medcoder.store.errors import InvalidError

MIN_LENGTH = 12
MAX_LENGTH = 1024
_AROUND = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_RUNS = (
    "abcdefghijklmnopqrstuvwxyz",
    "0123456789",
    "qwertyuiopasdfghjklzxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
)
_CONTEXT_WORDS = ("medcoder", "workbench")


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list, lower-cased."""
    path = resources.files("medcoder.store") / "data" / "common-passwords.txt.gz"
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as text:
        return frozenset(line.strip().lower() for line in text if line.strip())


def _patterned(lowered: str) -> bool:
    """One character or a short unit repeated, or a run along the alphabet, the digits or
    the keyboard (either way): guessed in the first few thousand tries of any cracker."""
    if len(set(lowered)) <= 3:
        return True
    for unit in range(1, len(lowered) // 2 + 1):
        if len(lowered) % unit == 0 and lowered[:unit] * (len(lowered) // unit) == lowered:
            return True
    for run in _RUNS:
        cycle = run * (len(lowered) // len(run) + 2)
        if lowered in cycle or lowered[::-1] in cycle:
            return True
    return False


def check_password(password: str, *, username: str = "", display_name: str | None = None) -> None:
    """Raise :class:`InvalidError` (field ``password``) when ``password`` breaks the policy."""
    if len(password) < MIN_LENGTH:
        raise InvalidError(
            f"the password must have at least {MIN_LENGTH} characters (it has "
            f"{len(password)}); a passphrase of a few words is easiest to remember",
            field="password",
        )
    if len(password) > MAX_LENGTH:
        raise InvalidError(
            f"the password must have at most {MAX_LENGTH} characters", field="password"
        )
    lowered = password.lower()
    common = common_passwords()
    core = _AROUND.sub("", lowered)
    if lowered in common or (len(core) >= 4 and core in common):
        raise InvalidError(
            "this password is on the list of common and breached passwords; choose another",
            field="password",
        )
    if _patterned(lowered) or (core and len(core) < len(lowered) and _patterned(core)):
        raise InvalidError(
            "the password is a repeated or sequential run of characters; choose another",
            field="password",
        )
    names = [username, *(display_name or "").split(), *_CONTEXT_WORDS]
    for name in names:
        if len(name) >= 3 and name.lower() in lowered:
            raise InvalidError(
                "the password must not contain the user name, the person's name or the "
                "name of this system",
                field="password",
            )
