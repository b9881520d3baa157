"""Body mass index with its weight diagnosis (I.B.14, I.C.21.c.3).

"BMI codes should only be assigned when there is an associated, reportable diagnosis (such as
obesity)"; the BMI itself may come from any clinician's documentation (the vitals). When the
record codes a weight diagnosis (obesity, overweight, underweight, malnutrition) and states an
adult BMI ("BMI 31.2", "Morbid obesity with BMI 42"), the Z68 code of that value is added.
Its range is read from the Tabular's own titles ("Body mass index [BMI] 40.0-44.9, adult").
A patient under 20 takes the pediatric percentile codes, which a value alone does not give:
nothing is added for a child.
"""

from __future__ import annotations

import re
from functools import lru_cache

from medcoder.codesets.icd10cm_pack import ICD10CMPack
from medcoder.codesets.systems import code_key
from medcoder.coding.guidelines.base import GuidelineRule, RuleContext

# Obesity and overweight (E66), malnutrition (E40-E46), underweight and abnormal weight loss
# or gain (R63.4-R63.6).
_WEIGHT = ("E66", "E40", "E41", "E42", "E43", "E44", "E45", "E46", "R634", "R635", "R636")
_VALUE = re.compile(
    r"\b(?:BMI|body mass index)\b\s*(?:of|is|was|at|:|=)?\s*(?P<value>\d{2}(?:\.\d{1,2})?)\b",
    re.I,
)
_AGE = re.compile(
    r"\b(?P<age>\d{1,3})[- ](?:year|yr)s?[- ]old\b|\bage[:\s]+(?P<age2>\d{1,3})\b", re.I
)
_RANGE = re.compile(
    r"(?P<lo>\d+(?:\.\d)?)-(?P<hi>\d+(?:\.\d)?), adult|(?P<le>\d+(?:\.\d)?) or less, adult"
    r"|(?P<ge>\d+(?:\.\d)?) or greater, adult"
)


@lru_cache(maxsize=4)
def _adult_ranges(pack: ICD10CMPack) -> tuple[tuple[float, float, str], ...]:
    out = []
    for key in pack.billable_keys():
        if not key.startswith("Z68"):
            continue
        found = _RANGE.search(pack.title(key) or "")
        if found is None:
            continue
        if found.group("le"):
            out.append((0.0, float(found.group("le")), key))
        elif found.group("ge"):
            out.append((float(found.group("ge")), 1000.0, key))
        else:
            out.append((float(found.group("lo")), float(found.group("hi")), key))
    return tuple(out)


def bmi_code(pack: ICD10CMPack, value: float) -> str | None:
    """The adult Z68 code of a BMI value (one decimal, as the titles write it)."""
    value = round(value, 1)
    return next((key for lo, hi, key in _adult_ranges(pack) if lo <= value <= hi), None)


def apply(context: RuleContext) -> None:
    if not any(code_key(s.code).startswith(_WEIGHT) for s in context.suggestions):
        return
    if any(code_key(s.code).startswith("Z68") for s in context.suggestions):
        return
    for annotated in context.annotated.values():
        age = _AGE.search(annotated.text[:5000])
        if age and int(age.group("age") or age.group("age2")) < 20:
            return
        found = _VALUE.search(annotated.text)
        if found is None:
            continue
        code = bmi_code(context.pack, float(found.group("value")))
        if code is not None:
            evidence = [context.evidence(annotated, found.start(), found.end())]
            context.add(code, BMI, evidence, f"BMI {found.group('value')}", "I.B.14")
            return


BMI = GuidelineRule(
    "bmi",
    "I.C.21.c.3",
    "A stated adult BMI is coded (Z68) with its weight diagnosis",
    apply,
)
