"""Units and plausibility per analyte: one canonical unit each, conversions, impossible values.

Clinical-indicator rules compare numbers ("sodium < 135 mmol/L"), so every value must be in
one unit before a rule sees it, and a typo ("Na 1260") must be flagged rather than trusted.
A value without a unit is given one only when exactly one of the analyte's units makes it
plausible ("creatinine 1.4" can only be mg/dL; "glucose 20" could be either).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Analyte:
    name: str
    unit: str  # canonical unit
    low: float  # plausible range in the canonical unit (outside: not a real measurement)
    high: float
    # other unit -> function to canonical; the canonical unit maps to identity implicitly
    conversions: dict[str, Callable[[float], float]] = field(default_factory=dict)
    loinc: tuple[str, ...] = ()
    # units a value written without one may be read in; empty means all the analyte's units
    unitless: tuple[str, ...] = ()

    def to_canonical(self, value: float, unit: str) -> float | None:
        if unit == self.unit:
            return value
        convert = self.conversions.get(unit)
        return convert(value) if convert else None

    def plausible(self, value: float) -> bool:
        return self.low <= value <= self.high


def _times(factor: float) -> Callable[[float], float]:
    return lambda v: v * factor


_SAME = _times(1.0)
_ELECTROLYTE = {"mEq/L": _SAME}
ANALYTES: dict[str, Analyte] = {
    a.name: a
    for a in (
        Analyte("sodium", "mmol/L", 90, 200, _ELECTROLYTE, ("2951-2", "2947-0")),
        Analyte("potassium", "mmol/L", 1.0, 10.0, _ELECTROLYTE, ("2823-3", "6298-4")),
        Analyte("chloride", "mmol/L", 50, 160, _ELECTROLYTE, ("2075-0",)),
        Analyte("bicarbonate", "mmol/L", 2, 60, _ELECTROLYTE, ("1963-8", "2028-9")),
        Analyte("anion_gap", "mmol/L", -10, 60, _ELECTROLYTE, ("33037-3",)),
        Analyte("glucose", "mg/dL", 10, 3000, {"mmol/L": _times(18.016)}, ("2345-7", "2339-0")),
        Analyte("creatinine", "mg/dL", 0.1, 30, {"umol/L": _times(1 / 88.4)}, ("2160-0",)),
        Analyte("bun", "mg/dL", 1, 300, {"mmol/L": _times(2.801)}, ("3094-0",)),
        Analyte("hemoglobin", "g/dL", 1, 25, {"g/L": _times(0.1)}, ("718-7",)),
        Analyte("hematocrit", "%", 5, 75, {}, ("4544-3",)),
        Analyte("wbc", "10^9/L", 0.1, 500, {"/uL": _times(0.001)}, ("6690-2", "26464-8")),
        Analyte("platelets", "10^9/L", 1, 2500, {"/uL": _times(0.001)}, ("777-3", "26515-7")),
        Analyte(
            "lactate",
            "mmol/L",
            0.1,
            30,
            {"mg/dL": _times(1 / 9.008)},
            ("2524-7", "32693-4"),
            unitless=("mmol/L",),  # mg/dL lactate is rare enough that notes always say so
        ),
        Analyte("troponin", "ng/mL", 0, 1000, {"ng/L": _times(0.001)}, ("10839-9", "6598-7")),
        Analyte("bnp", "pg/mL", 0, 50000, {"ng/L": _SAME}, ("30934-4",)),
        Analyte("nt_probnp", "pg/mL", 0, 100000, {"ng/L": _SAME}, ("33762-6",)),
        Analyte("albumin", "g/dL", 0.5, 7, {"g/L": _times(0.1)}, ("1751-7",)),
        Analyte("calcium", "mg/dL", 2, 20, {"mmol/L": _times(4.008)}, ("17861-6",)),
        Analyte("magnesium", "mg/dL", 0.3, 10, {"mmol/L": _times(2.431)}, ("19123-9",)),
        Analyte("phosphorus", "mg/dL", 0.3, 20, {"mmol/L": _times(3.097)}, ("2777-1",)),
        Analyte("bilirubin", "mg/dL", 0.05, 60, {"umol/L": _times(1 / 17.1)}, ("1975-2",)),
        Analyte("ast", "U/L", 1, 30000, {}, ("1920-8",)),
        Analyte("alt", "U/L", 1, 30000, {}, ("1742-6",)),
        Analyte("lipase", "U/L", 1, 50000, {}, ("3040-3",)),
        Analyte("inr", "ratio", 0.5, 20, {}, ("6301-6", "34714-6")),
        Analyte("hba1c", "%", 3, 20, {}, ("4548-4",)),
        Analyte("crp", "mg/L", 0, 1000, {"mg/dL": _times(10)}, ("1988-5",)),
        Analyte("procalcitonin", "ng/mL", 0, 1000, {"ug/L": _SAME}, ("33959-8",)),
        Analyte("ph", "ratio", 6.5, 8.0, {}, ("2744-1", "11558-4")),
        Analyte("pco2", "mmHg", 5, 200, {"kPa": _times(7.50062)}, ("2019-8",)),
        Analyte("po2", "mmHg", 10, 700, {"kPa": _times(7.50062)}, ("2703-7",)),
        Analyte("egfr", "mL/min/1.73m2", 1, 200, {"mL/min": _SAME}, ("33914-3", "62238-1")),
        Analyte("bmi", "kg/m2", 8, 150, {}, ("39156-5",)),
        Analyte("spo2", "%", 30, 100, {}, ("59408-5", "2708-6")),
        Analyte("heart_rate", "/min", 10, 300, {}, ("8867-4",)),
        Analyte("resp_rate", "/min", 2, 80, {}, ("9279-1",)),
        Analyte("temperature", "C", 25, 45, {"F": lambda f: (f - 32) * 5 / 9}, ("8310-5",)),
        Analyte("sbp", "mmHg", 30, 300, {}, ("8480-6",)),
        Analyte("dbp", "mmHg", 10, 200, {}, ("8462-4",)),
    )
}
BY_LOINC = {code: a.name for a in ANALYTES.values() for code in a.loinc}

# Unit spellings seen in notes and feeds -> the spelling used in ANALYTES.
_UNIT_ALIASES = {
    "mg/dl": "mg/dL", "mmol/l": "mmol/L", "meq/l": "mEq/L", "umol/l": "umol/L",
    "µmol/l": "umol/L", "μmol/l": "umol/L", "micromol/l": "umol/L", "g/dl": "g/dL",
    "g/l": "g/L", "ng/ml": "ng/mL", "ng/l": "ng/L", "pg/ml": "pg/mL", "ug/l": "ug/L",
    "mg/l": "mg/L", "%": "%", "percent": "%", "bpm": "/min", "/min": "/min", "beats/min": "/min",
    "breaths/min": "/min", "{beats}/min": "/min", "{breaths}/min": "/min", "c": "C", "°c": "C",
    "cel": "C", "degc": "C", "f": "F", "°f": "F", "[degf]": "F", "degf": "F",
    "kg/m2": "kg/m2", "kg/m^2": "kg/m2", "kg/m²": "kg/m2", "k/ul": "10^9/L", "k/µl": "10^9/L",
    "x10^9/l": "10^9/L", "10^9/l": "10^9/L", "10*9/l": "10^9/L", "x10*9/l": "10^9/L",
    "10^3/ul": "10^9/L", "10*3/ul": "10^9/L", "x10^3/ul": "10^9/L", "thou/ul": "10^9/L",
    "/ul": "/uL", "/mm3": "/uL", "cells/ul": "/uL", "u/l": "U/L", "iu/l": "U/L", "mmhg": "mmHg",
    "mm hg": "mmHg", "mm[hg]": "mmHg", "kpa": "kPa", "ml/min/1.73m2": "mL/min/1.73m2",
    "ml/min/{1.73_m2}": "mL/min/1.73m2", "ml/min/1.73 m2": "mL/min/1.73m2", "ml/min": "mL/min",
    "ratio": "ratio", "{ratio}": "ratio", "{inr}": "ratio", "1": "ratio",
}  # fmt: skip
_SPACES = re.compile(r"\s+")


def canonical_unit(unit: str | None) -> str | None:
    """The ANALYTES spelling of ``unit`` ("mg/dl" -> "mg/dL"), or the input when unknown."""
    if unit is None:
        return None
    key = _SPACES.sub(" ", unit.strip()).lower()
    return _UNIT_ALIASES.get(key, unit.strip() or None)


def infer_unit(analyte: Analyte, value: float) -> str | None:
    """The one unit under which ``value`` is plausible for ``analyte``; None if none or several.

    Units that differ by a factor of exactly 1 (mmol/L and mEq/L) count as one reading.
    """
    readings = {}
    for unit in analyte.unitless or (analyte.unit, *analyte.conversions):
        converted = analyte.to_canonical(value, unit)
        if converted is not None and analyte.plausible(converted):
            readings.setdefault(round(converted, 6), unit)
    return next(iter(readings.values())) if len(readings) == 1 else None
