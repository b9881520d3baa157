"""Office and emergency E/M leveling: a pure model of the AMA 2021/2023 rules.

Nothing here reads text. The caller (``em_extract`` or a person) states what the note shows
and this module applies the AMA table as docs/domain.md §4 records it:

* MDM has three elements, problems, data and risk, each at straightforward (minimal), low,
  moderate or high. The MDM level is the highest level **met or exceeded by 2 of the 3
  elements**, which is the middle of the three levels once sorted.
* Data is not one count but three categories (Category 1: unique tests ordered or reviewed,
  external notes from each unique source, independent historian; Category 2: independent
  interpretation of a test; Category 3: discussion of management with an external
  physician/QHP). Limited needs 2 test/document items or the historian; moderate needs 1 of
  the 3 categories with Category 1 at 3 items; extensive needs 2 of the 3 categories.
* Office visits (99202-99205, 99212-99215) may be chosen by MDM or by total time on the date
  of the encounter, whichever supports the higher level. 99211 is never chosen by MDM or time.
* Prolonged service applies only when the level is chosen by time: CPT 99417 (commercial)
  from 75/55 minutes with 99205/99215, HCPCS G2212 (Medicare) from 89/69 minutes, in full
  15-minute units.
* ED visits (99281-99285) are chosen by MDM only; 99281 may not need a physician at all.

Only code *numbers* appear here: CPT descriptors are AMA-licensed text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum

from medcoder.codesets.cpt import EM_EMERGENCY, EM_OFFICE_ESTABLISHED, EM_OFFICE_NEW, EM_PROLONGED
from medcoder.errors import UsageError

G2212 = "G2212"
"""Medicare's prolonged office service code (99417 is not valid for Medicare/MA)."""


class Level(IntEnum):
    """One MDM level; the ordering is what the 2-of-3 rule compares."""

    STRAIGHTFORWARD = 1
    LOW = 2
    MODERATE = 3
    HIGH = 4

    @property
    def label(self) -> str:
        return self.name.lower()


# Problem kinds of the AMA "Number and complexity of problems addressed" column.
SELF_LIMITED = "self_limited"
STABLE_CHRONIC = "stable_chronic"
ACUTE_UNCOMPLICATED = "acute_uncomplicated"
STABLE_ACUTE = "stable_acute"  # 2023 addition
ACUTE_NEEDS_HOSPITAL_CARE = "acute_uncomplicated_hospital_care"  # 2023 addition
CHRONIC_EXACERBATION = "chronic_exacerbation"
UNDIAGNOSED_UNCERTAIN = "undiagnosed_uncertain_prognosis"
ACUTE_SYSTEMIC = "acute_systemic_symptoms"
ACUTE_COMPLICATED_INJURY = "acute_complicated_injury"
CHRONIC_SEVERE_EXACERBATION = "chronic_severe_exacerbation"
THREAT_TO_LIFE = "threat_to_life_or_function"

PROBLEM_KINDS = (
    SELF_LIMITED,
    STABLE_CHRONIC,
    ACUTE_UNCOMPLICATED,
    STABLE_ACUTE,
    ACUTE_NEEDS_HOSPITAL_CARE,
    CHRONIC_EXACERBATION,
    UNDIAGNOSED_UNCERTAIN,
    ACUTE_SYSTEMIC,
    ACUTE_COMPLICATED_INJURY,
    CHRONIC_SEVERE_EXACERBATION,
    THREAT_TO_LIFE,
)
_HIGH_PROBLEMS = {CHRONIC_SEVERE_EXACERBATION, THREAT_TO_LIFE}
_MODERATE_PROBLEMS = {
    CHRONIC_EXACERBATION,
    UNDIAGNOSED_UNCERTAIN,
    ACUTE_SYSTEMIC,
    ACUTE_COMPLICATED_INJURY,
}
_LOW_PROBLEMS = {ACUTE_UNCOMPLICATED, STABLE_ACUTE, ACUTE_NEEDS_HOSPITAL_CARE}


@dataclass(frozen=True)
class ProblemLevel:
    """Problems addressed: the level and the text that decided it."""

    level: Level
    evidence: tuple[str, ...] = ()

    @classmethod
    def from_kinds(cls, kinds: Iterable[str], evidence: Sequence[str] = ()) -> ProblemLevel:
        """Level from the problem kinds addressed, per the AMA problems column.

        Counting matters only where the table counts: 2+ self-limited problems are low and
        2+ stable chronic illnesses are moderate; every other kind decides by itself.
        """
        kinds = list(kinds)
        unknown = set(kinds) - set(PROBLEM_KINDS)
        if unknown:
            raise UsageError(f"unknown problem kind(s): {', '.join(sorted(unknown))}")
        found = set(kinds)
        if found & _HIGH_PROBLEMS:
            level = Level.HIGH
        elif found & _MODERATE_PROBLEMS or kinds.count(STABLE_CHRONIC) >= 2:
            level = Level.MODERATE
        elif found & _LOW_PROBLEMS or STABLE_CHRONIC in found or kinds.count(SELF_LIMITED) >= 2:
            level = Level.LOW
        else:
            level = Level.STRAIGHTFORWARD
        return cls(level, tuple(evidence))


@dataclass(frozen=True)
class DataLevel:
    """Amount and/or complexity of data, kept as its three AMA categories.

    ``unique_tests`` counts each unique test once whether ordered, reviewed or both (a test
    ordered and then reviewed is one item); ``external_notes`` counts each unique source.
    """

    unique_tests: int = 0
    external_notes: int = 0
    independent_historian: bool = False
    independent_interpretation: bool = False
    external_discussion: bool = False
    evidence: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.unique_tests < 0 or self.external_notes < 0:
            raise UsageError("data item counts cannot be negative")

    @property
    def category1_items(self) -> int:
        """Tests, documents and the historian together, as the moderate/extensive rows count."""
        return self.unique_tests + self.external_notes + int(self.independent_historian)

    @property
    def categories_met(self) -> int:
        """How many of the 3 categories meet the moderate/extensive definitions."""
        return (
            int(self.category1_items >= 3)
            + int(self.independent_interpretation)
            + int(self.external_discussion)
        )

    @property
    def level(self) -> Level:
        if self.categories_met >= 2:
            return Level.HIGH
        if self.categories_met == 1:
            return Level.MODERATE
        # Limited: Category 1 is any 2 tests/documents; Category 2 is the historian alone.
        if self.unique_tests + self.external_notes >= 2 or self.independent_historian:
            return Level.LOW
        return Level.STRAIGHTFORWARD

    def categories(self) -> dict[str, dict[str, object]]:
        """The three AMA data categories, each with what it counted and whether it is met
        at the moderate/extensive definition (Category 1: 3 items)."""
        return {
            "1": {
                "name": "tests, documents, independent historian",
                "unique_tests": self.unique_tests,
                "external_notes": self.external_notes,
                "independent_historian": self.independent_historian,
                "items": self.category1_items,
                "met": self.category1_items >= 3,
            },
            "2": {
                "name": "independent interpretation of a test",
                "met": self.independent_interpretation,
            },
            "3": {
                "name": "discussion of management with an external physician/QHP",
                "met": self.external_discussion,
            },
        }

    def describe(self) -> str:
        parts = [
            f"{self.unique_tests} unique test(s)",
            f"{self.external_notes} external note source(s)",
        ]
        if self.independent_historian:
            parts.append("independent historian")
        if self.independent_interpretation:
            parts.append("independent interpretation")
        if self.external_discussion:
            parts.append("discussion with external physician/QHP")
        return ", ".join(parts) + f" -> {self.categories_met} of 3 categories"


@dataclass(frozen=True)
class RiskLevel:
    """Risk of complications and/or morbidity of patient management."""

    level: Level
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class MDM:
    problems: ProblemLevel
    data: DataLevel
    risk: RiskLevel

    @property
    def level(self) -> Level:
        """The level met or exceeded by 2 of the 3 elements: the middle value."""
        return sorted((self.problems.level, self.data.level, self.risk.level))[1]

    def grid(self) -> dict[str, dict[str, object]]:
        return {
            "problems": {
                "level": self.problems.level.label,
                "evidence": list(self.problems.evidence),
            },
            "data": {
                "level": self.data.level.label,
                "evidence": list(self.data.evidence),
                "detail": self.data.describe(),
                "categories": self.data.categories(),
            },
            "risk": {"level": self.risk.level.label, "evidence": list(self.risk.evidence)},
        }


# 2024+ "must be met or exceeded" minutes (docs/domain.md §4); the 2021-2023 ranges start
# at the same numbers, so one table serves every year from 2021.
NEW_TIME = {"99202": 15, "99203": 30, "99204": 45, "99205": 60}
ESTABLISHED_TIME = {"99212": 10, "99213": 20, "99214": 30, "99215": 40}
# First minute of the first prolonged unit, by payer and base code: CPT 99417 (office and
# outpatient consultation) and 99418 (hospital and inpatient consultation) start 15 minutes
# past the base code's time; Medicare's G2212 starts past the top of the old office range.
PROLONGED_START = {
    ("commercial", "99205"): 75,
    ("commercial", "99215"): 55,
    ("commercial", "99245"): 70,
    ("commercial", "99223"): 90,
    ("commercial", "99233"): 65,
    ("commercial", "99255"): 95,
    ("medicare", "99205"): 89,
    ("medicare", "99215"): 69,
}
PROLONGED_HOSPITAL = "99418"
PAYERS = ("commercial", "medicare")


@dataclass(frozen=True)
class Family:
    """One E/M code family: the code for each MDM level and the time each code needs.

    ``codes`` lists the code for straightforward, low, moderate and high MDM (a family with
    one code for straightforward and low repeats it); ``times`` is None where time never
    selects the level (emergency department).
    """

    name: str
    codes: tuple[str, str, str, str]
    times: dict[str, int] | None
    first_year: int


# The 2023 AMA families (hospital inpatient/observation and consultations moved to MDM or
# total time on the date of the encounter, like the 2021 office codes).
FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        Family("office-new", EM_OFFICE_NEW, NEW_TIME, 2021),
        Family("office-established", EM_OFFICE_ESTABLISHED[1:], ESTABLISHED_TIME, 2021),
        Family("emergency", EM_EMERGENCY[1:], None, 2023),
        Family(
            "hospital-initial",
            ("99221", "99221", "99222", "99223"),
            {"99221": 40, "99222": 55, "99223": 75},
            2023,
        ),
        Family(
            "hospital-subsequent",
            ("99231", "99231", "99232", "99233"),
            {"99231": 25, "99232": 35, "99233": 50},
            2023,
        ),
        Family(
            "consult-office",
            ("99242", "99243", "99244", "99245"),
            {"99242": 20, "99243": 30, "99244": 40, "99245": 55},
            2023,
        ),
        Family(
            "consult-inpatient",
            ("99252", "99253", "99254", "99255"),
            {"99252": 35, "99253": 45, "99254": 60, "99255": 80},
            2023,
        ),
    )
}


@dataclass
class EMResult:
    """A chosen E/M code with the grid and reasoning a coder can check."""

    code: str | None
    setting: str
    path: str  # "mdm", "time" or "none"
    mdm_level: Level | None
    total_minutes: int | None = None
    prolonged_code: str | None = None
    prolonged_units: int = 0
    grid: dict[str, dict[str, object]] = field(default_factory=dict)
    explanation: list[str] = field(default_factory=list)
    needs_review: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "setting": self.setting,
            "path": self.path,
            "mdm_level": self.mdm_level.label if self.mdm_level else None,
            "total_minutes": self.total_minutes,
            "prolonged": (
                {"code": self.prolonged_code, "units": self.prolonged_units}
                if self.prolonged_code
                else None
            ),
            "grid": self.grid,
            "explanation": list(self.explanation),
            "needs_review": list(self.needs_review),
        }


def _check_year(year: int, first: int, what: str) -> None:
    if year < first:
        raise UsageError(f"{what} leveling before {first} (history/exam rules) is not modelled")


def _time_code(table: dict[str, int], minutes: int | None) -> str | None:
    if minutes is None:
        return None
    met = [code for code, threshold in table.items() if minutes >= threshold]
    return met[-1] if met else None


def _prolonged(payer: str, code: str, minutes: int) -> tuple[str | None, int]:
    start = PROLONGED_START.get((payer, code))
    if start is None or minutes < start:
        return None, 0
    units = (minutes - start) // 15 + 1
    if payer == "medicare":
        return G2212, units
    return (PROLONGED_HOSPITAL if code in ("99223", "99233", "99255") else EM_PROLONGED), units


def _mdm_explanation(mdm: MDM) -> list[str]:
    return [
        f"problems: {mdm.problems.level.label}",
        f"data: {mdm.data.level.label} ({mdm.data.describe()})",
        f"risk: {mdm.risk.level.label}",
        f"MDM {mdm.level.label}: the level met or exceeded by 2 of 3 elements",
    ]


def level_office(
    new_patient: bool,
    mdm: MDM | None,
    total_minutes: int | None = None,
    year: int = 2024,
    *,
    payer: str = "commercial",
) -> EMResult:
    """Office/outpatient code by MDM or total time, whichever supports the higher level.

    ``mdm=None`` means the note has no practitioner MDM; an established patient with neither
    MDM nor time is 99211 (never chosen by MDM or time, so it is flagged for review); a new
    patient with neither gets no code.
    """
    family = "office-new" if new_patient else "office-established"
    return level_family(family, mdm, total_minutes, year, payer=payer)


def level_family(
    family: str,
    mdm: MDM | None,
    total_minutes: int | None = None,
    year: int = 2024,
    *,
    payer: str = "commercial",
) -> EMResult:
    """The code of ``family`` (see :data:`FAMILIES`) by MDM or total time, whichever
    supports the higher level.

    On a tie MDM decides, unless time also earns prolonged-service units (which only a
    time-based level may carry).
    """
    if family not in FAMILIES:
        raise UsageError(f"E/M family must be one of {', '.join(FAMILIES)}, not {family!r}")
    if family == "emergency":
        return level_emergency(mdm, year)
    fam = FAMILIES[family]
    _check_year(year, fam.first_year, f"{family} E/M")
    if payer not in PAYERS:
        raise UsageError(f"payer must be one of {', '.join(PAYERS)}, not {payer!r}")
    if total_minutes is not None and total_minutes < 0:
        raise UsageError("total time cannot be negative")
    table = fam.times or {}
    result = EMResult(None, family, "none", mdm.level if mdm else None, total_minutes)
    mdm_code = fam.codes[mdm.level - 1] if mdm else None
    time_code = _time_code(table, total_minutes)
    if mdm:
        result.grid = mdm.grid()
        result.explanation += _mdm_explanation(mdm)
        result.explanation.append(f"by MDM: {mdm_code}")
    if total_minutes is not None and table:
        lowest = min(table.values())
        result.explanation.append(
            f"by time ({total_minutes} min): {time_code}"
            if time_code
            else f"by time: {total_minutes} min is below the {lowest}-minute minimum"
        )
    prolonged = _prolonged(payer, time_code, total_minutes or 0) if time_code else (None, 0)
    order = list(dict.fromkeys(fam.codes))
    time_higher = (
        time_code is not None
        and mdm_code is not None
        and order.index(time_code) > order.index(mdm_code)
    )
    if time_code and (mdm_code is None or time_higher or (time_code == mdm_code and prolonged[1])):
        result.code, result.path = time_code, "time"
        result.prolonged_code, result.prolonged_units = prolonged
        if prolonged[0]:
            start = PROLONGED_START[(payer, time_code)]
            result.explanation.append(
                f"prolonged ({payer}): {prolonged[0]} x{prolonged[1]}, from {start} minutes "
                "in full 15-minute units"
            )
    elif mdm_code:
        result.code, result.path = mdm_code, "mdm"
    elif family == "office-established":
        result.code = EM_OFFICE_ESTABLISHED[0]
        result.needs_review.append(
            "99211 is not chosen by MDM or time: confirm a visit that may not need a physician"
        )
    else:
        result.needs_review.append(f"no MDM and no qualifying time: no {family} code supported")
    if result.code:
        result.explanation.append(f"chosen: {result.code} by {result.path}")
    return result


def level_emergency(mdm: MDM | None, year: int = 2023) -> EMResult:
    """ED code by MDM only (2023 rules); time never selects an ED level.

    ``mdm=None`` (no practitioner MDM documented) gives 99281, which may not require a
    physician or QHP.
    """
    _check_year(year, 2023, "ED E/M")
    if mdm is None:
        return EMResult(
            EM_EMERGENCY[0],
            "emergency",
            "none",
            None,
            explanation=["no practitioner MDM: 99281 (may not require a physician/QHP)"],
        )
    code = EM_EMERGENCY[mdm.level]
    explanation = _mdm_explanation(mdm) + [f"chosen: {code} by MDM (ED is MDM only)"]
    return EMResult(code, "emergency", "mdm", mdm.level, grid=mdm.grid(), explanation=explanation)
