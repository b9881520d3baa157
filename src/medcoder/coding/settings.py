"""Coding settings as named profiles (Official Guidelines sections II, III and IV).

Each profile says what happens to a candidate given its assertion. Keeping this as data, not
flags scattered through the engine, lets a reader check one table against the guidelines.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from medcoder.errors import UsageError
from medcoder.nlp.model import Assertion


class Action(StrEnum):
    CODE = "code"
    DROP = "drop"
    HISTORY = "history"  # only where a history/status Z code applies


@dataclass(frozen=True)
class Profile:
    name: str
    actions: dict[Assertion, Action]
    reasons: dict[Assertion, tuple[str, str]]  # assertion -> (reason, guideline)
    drop_integral_symptoms: bool
    sequencing: str  # "principal" (UHDDS) or "first-listed"
    # Excludes1 between separately documented mentions: "drop" keeps the more specific code
    # (billing), "keep" reports both and warns (abstraction records every documented
    # condition; the I.A.12.a exception for unrelated conditions is for a person to judge).
    excludes1_separate: str = "drop"
    # I.B.18 in billing: an unspecified code yields to a more specific one of its category.
    # Abstraction keeps each documented mention, as its registries and CodiEsp's coders do.
    drop_superseded_unspecified: bool = True


_COMMON_REASONS = {
    Assertion.NEGATED: ("the documentation negates it", "I.B.2"),
    Assertion.RULED_OUT: ("ruled out", "IV.H"),
    Assertion.FAMILY: ("a family member's condition, not the patient's", "I.C.21.c.4"),
    Assertion.HYPOTHETICAL: ("conditional or future, not a current condition", "IV.J"),
    Assertion.HISTORICAL: ("past condition no longer present", "I.C.21.c.4"),
}

PROFILES: dict[str, Profile] = {
    "outpatient": Profile(
        name="outpatient",
        actions={
            Assertion.PRESENT: Action.CODE,
            Assertion.POSSIBLE: Action.DROP,
            Assertion.NEGATED: Action.DROP,
            Assertion.RULED_OUT: Action.DROP,
            Assertion.FAMILY: Action.DROP,
            Assertion.HYPOTHETICAL: Action.DROP,
            Assertion.HISTORICAL: Action.HISTORY,
        },
        reasons={
            **_COMMON_REASONS,
            Assertion.POSSIBLE: (
                "uncertain diagnosis: outpatient coding reports the signs and symptoms instead",
                "IV.H",
            ),
        },
        drop_integral_symptoms=True,
        sequencing="first-listed",
    ),
    "inpatient": Profile(
        name="inpatient",
        actions={
            Assertion.PRESENT: Action.CODE,
            Assertion.POSSIBLE: Action.CODE,  # II.H / III.C: coded as if established
            Assertion.NEGATED: Action.DROP,
            Assertion.RULED_OUT: Action.DROP,
            Assertion.FAMILY: Action.DROP,
            Assertion.HYPOTHETICAL: Action.DROP,
            Assertion.HISTORICAL: Action.HISTORY,
        },
        reasons=dict(_COMMON_REASONS),
        drop_integral_symptoms=True,
        sequencing="principal",
    ),
    "abstraction": Profile(
        name="abstraction",
        actions={
            Assertion.PRESENT: Action.CODE,
            Assertion.POSSIBLE: Action.CODE,
            Assertion.HISTORICAL: Action.CODE,
            Assertion.NEGATED: Action.DROP,
            Assertion.RULED_OUT: Action.DROP,
            Assertion.FAMILY: Action.DROP,
            Assertion.HYPOTHETICAL: Action.DROP,
        },
        reasons=dict(_COMMON_REASONS),
        drop_integral_symptoms=False,
        drop_superseded_unspecified=False,
        excludes1_separate="keep",
        sequencing="first-listed",
    ),
}
PROFILES["emergency"] = PROFILES["outpatient"]
PROFILES["observation"] = PROFILES["outpatient"]

SETTINGS = ("inpatient", "outpatient", "abstraction")


def profile(name: str) -> Profile:
    try:
        return PROFILES[str(name).lower()]
    except KeyError:
        raise UsageError(f"unknown setting {name!r}; use one of {', '.join(SETTINGS)}") from None
