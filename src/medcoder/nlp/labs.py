"""Lab values and vital signs found in free text, and normalisation of results from feeds.

"Na 126", "creatinine 1.4 -> 2.3", "temp 38.9 C / 102 F" are the clinical indicators that
support or refute a diagnosis (hyponatremia, AKI, fever). Each becomes a
:class:`~medcoder.documents.model.LabResult` with its offsets, normalised to the analyte's
canonical unit (see :mod:`medcoder.nlp.units`). Values that cannot be trusted are kept with
``excluded_reason`` set, so a reviewer sees why a number was not used.
"""

from __future__ import annotations

import re
from dataclasses import replace

from medcoder.documents.model import LabResult
from medcoder.nlp.units import _UNIT_ALIASES, ANALYTES, BY_LOINC, canonical_unit, infer_unit

# Written exactly like this only: short forms that are English words or units otherwise.
_CASE_SENSITIVE = {
    "Na": "sodium", "K": "potassium", "Cl": "chloride", "CO2": "bicarbonate", "Cr": "creatinine",
    "Hgb": "hemoglobin", "Hb": "hemoglobin", "HGB": "hemoglobin", "Hct": "hematocrit",
    "HCT": "hematocrit", "Plt": "platelets", "PLT": "platelets", "Ca": "calcium",
    "Mg": "magnesium", "Phos": "phosphorus", "HR": "heart_rate", "RR": "resp_rate",
    "T": "temperature", "Tmax": "temperature", "PCT": "procalcitonin", "BG": "glucose",
    "AG": "anion_gap", "pH": "ph",
}  # fmt: skip
_CASE_INSENSITIVE = {
    "sodium": "sodium", "serum sodium": "sodium", "potassium": "potassium", "chloride": "chloride",
    "bicarbonate": "bicarbonate", "bicarb": "bicarbonate", "hco3": "bicarbonate",
    "anion gap": "anion_gap", "glucose": "glucose", "blood glucose": "glucose",
    "blood sugar": "glucose", "fingerstick glucose": "glucose", "poc glucose": "glucose",
    "fsbg": "glucose", "creatinine": "creatinine", "creat": "creatinine", "bun": "bun",
    "blood urea nitrogen": "bun", "urea": "bun", "hemoglobin": "hemoglobin",
    "haemoglobin": "hemoglobin", "hematocrit": "hematocrit", "wbc": "wbc",
    "white blood cell count": "wbc", "white count": "wbc", "white counts": "wbc",
    "white cell count": "wbc", "white blood count": "wbc", "platelets": "platelets",
    "platelet count": "platelets", "platelet": "platelets", "lactate": "lactate",
    "lactic acid": "lactate", "troponin": "troponin", "troponin i": "troponin",
    "troponin t": "troponin", "hs troponin": "troponin", "hs-troponin": "troponin",
    "trop": "troponin", "tni": "troponin", "bnp": "bnp", "nt-probnp": "nt_probnp",
    "nt probnp": "nt_probnp", "albumin": "albumin", "calcium": "calcium",
    "magnesium": "magnesium", "phosphorus": "phosphorus", "phosphate": "phosphorus",
    "bilirubin": "bilirubin", "total bilirubin": "bilirubin", "t bili": "bilirubin",
    "tbili": "bilirubin", "ast": "ast", "alt": "alt", "lipase": "lipase", "inr": "inr",
    "a1c": "hba1c", "hba1c": "hba1c", "hemoglobin a1c": "hba1c", "crp": "crp",
    "c-reactive protein": "crp", "procalcitonin": "procalcitonin", "pco2": "pco2",
    "paco2": "pco2", "po2": "po2", "pao2": "po2", "egfr": "egfr", "gfr": "egfr", "bmi": "bmi",
    "body mass index": "bmi", "spo2": "spo2", "sao2": "spo2", "o2 sat": "spo2",
    "o2 sats": "spo2", "oxygen saturation": "spo2", "pulse ox": "spo2", "pulse oximetry": "spo2",
    "heart rate": "heart_rate", "pulse": "heart_rate", "respiratory rate": "resp_rate",
    "resp rate": "resp_rate", "temp": "temperature", "temperature": "temperature",
    "t max": "temperature", "systolic": "sbp", "diastolic": "dbp",
}  # fmt: skip


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_UNIT_WORDS = [u for u in _UNIT_ALIASES if u not in {"1", "ratio"} and not u.startswith("{")]
_UNIT = r"(?i:" + _alternation(_UNIT_WORDS) + r")(?![A-Za-z0-9/])"
# "20,000" and "303,000": thousands separators (a unitless count); "126" and "7.7" otherwise.
_NUMBER = r"\d{1,3}(?:,\d{3})+(?!\d|\.\d)|\d+(?:\.\d+)?"
# The name ends at a non-word character, or runs straight into its value in dictation
# squeezed together ("Hgb7.7", "sodium126"); a one-letter name (T, K) never does.
_NAME_END = r"(?:(?![\w-])|(?<=[A-Za-z]{2})(?=\d))"
_LAB_RE = re.compile(
    r"(?<![\w/.-])(?P<name>(?i:" + _alternation(list(_CASE_INSENSITIVE)) + r")"
    r"|"
    + _alternation(list(_CASE_SENSITIVE))
    + r")"
    + _NAME_END
    + r"(?:\s*(?i:level|lvl|count|value))?(?:\s*(?i:of|was|is|were|are|=|:|at|-)(?!\s*>))*"
    r"\s*(?P<value>" + _NUMBER + r")(?!\d|\.\d|/)(?:\s*(?P<unit>" + _UNIT + r"))?"
)
# "Cr 1.4 -> 2.3": later values of the same analyte, each a result of its own.
_TREND_RE = re.compile(
    r"\s*(?:->|-->|=>|\u2192|>|(?i:to|then|and then))\s*(?P<value>"
    + _NUMBER
    + r")(?!\d|\.\d|/)(?:\s*(?P<unit>"
    + _UNIT
    + r"))?"
)
# "temp 38.9 C / 102 F": the same observation in a second unit; consumed, not repeated.
_ALT_UNIT_RE = re.compile(r"\s*(?:/|\(|or)\s*" + _NUMBER + r"\s*(?:" + _UNIT + r")\)?")
_BP_RE = re.compile(
    r"(?<![\w/])(?i:bp|blood pressure)(?:\s*(?i:of|was|is|=|:))*\s*"
    r"(?P<sbp>\d{2,3})\s*/\s*(?P<dbp>\d{2,3})(?:\s*(?i:mm\s?hg))?"
)


def analyte_name(name: str, source_code: str | None = None) -> str | None:
    """The analyte a result names ("Na", "Sodium", LOINC 2951-2 -> "sodium"), else None."""
    if source_code and source_code in BY_LOINC:
        return BY_LOINC[source_code]
    key = name.strip()
    if key in ANALYTES:
        return key
    found = _CASE_SENSITIVE.get(key) or _CASE_INSENSITIVE.get(key.lower())
    if found:
        return found
    head = re.split(r"[,(\[]", key, maxsplit=1)[0].strip().lower()  # "Sodium, serum"
    return _CASE_INSENSITIVE.get(head)


def normalize_result(result: LabResult) -> LabResult:
    """A copy with analyte name, canonical unit and value, or ``excluded_reason`` set.

    Works for text findings and for results from HL7 v2 / FHIR (pass ``source_code`` as the
    LOINC code when known). Unknown analytes pass through with only the unit spelling fixed.
    """
    name = analyte_name(result.name, result.source_code)
    unit = canonical_unit(result.unit)
    if name is None:
        return replace(result, unit=unit, normalized_value=result.value, normalized_unit=unit)
    analyte = ANALYTES[name]
    if result.value is None:
        return replace(
            result, name=name, unit=unit, excluded_reason=result.excluded_reason or "no value"
        )
    reading_unit = unit if unit is not None else infer_unit(analyte, result.value)
    if reading_unit is None and unit is None and _single_reading(name):
        reading_unit = analyte.unit  # "Na 1260": only one unit possible, so flag the value
    if reading_unit is None:
        return replace(
            result, name=name, unit=None, excluded_reason=result.excluded_reason or "no unit"
        )
    value = analyte.to_canonical(result.value, reading_unit)
    if value is None:
        reason = f"unit {reading_unit} not convertible to {analyte.unit}"
        return replace(
            result, name=name, unit=unit, excluded_reason=result.excluded_reason or reason
        )
    reason = result.excluded_reason
    if reason is None and not analyte.plausible(value):
        reason = f"implausible {name} value {result.value:g} {reading_unit}"
    return replace(
        result,
        name=name,
        unit=unit,
        normalized_value=round(value, 4),
        normalized_unit=analyte.unit,
        excluded_reason=reason,
    )


def _single_reading(name: str) -> bool:
    """True when every unit of the analyte reads a number the same way (mmol/L == mEq/L)."""
    analyte = ANALYTES[name]
    units = analyte.unitless or (analyte.unit, *analyte.conversions)
    return len({analyte.to_canonical(100.0, u) for u in units}) == 1


def _result(text: str, name: str, value: str, unit: str | None, start: int, end: int) -> LabResult:
    number = float(value.replace(",", ""))
    raw = LabResult(name, number, unit, raw_text=text[start:end], start=start, end=end)
    return normalize_result(raw)


_WORD = re.compile(r"\w+")
_LETTER_DIGIT = re.compile(r"(?<=[A-Za-z])\d")  # a value written straight after letters
_NAME_BEFORE = re.compile(r"(?<![\w/.-])[A-Za-z]{2,}$")
_FIRST_WORDS = frozenset(_WORD.match(n).group().lower() for n in _CASE_INSENSITIVE) | frozenset(
    _WORD.match(n).group() for n in _CASE_SENSITIVE
)


def _run_together_starts(text: str) -> list[int]:
    """Where a name runs straight into its value ("Hgb7.7", "sodium126"): found from the
    digits that follow a letter, so ordinary words pay nothing for it."""
    starts = []
    for digit in _LETTER_DIGIT.finditer(text):
        name = _NAME_BEFORE.search(text, max(0, digit.start() - 20), digit.start())
        if name and (name.group() in _FIRST_WORDS or name.group().lower() in _FIRST_WORDS):
            starts.append(name.start())
    return starts


def _lab_matches(text: str) -> list[re.Match[str]]:
    """``_LAB_RE.finditer(text)``, tried only where a word that can begin an analyte name
    begins: the same matches (every name starts a word), without running the long name
    alternation at each character of the note."""
    found: list[re.Match[str]] = []
    last_end = 0
    for word in _WORD.finditer(text):
        start = word.start()
        if start < last_end:
            continue
        token = word.group()
        if token not in _FIRST_WORDS and token.lower() not in _FIRST_WORDS:
            continue
        match = _LAB_RE.match(text, start)
        if match:
            last_end = match.end()
            found.append(match)
    for start in _run_together_starts(text):
        match = _LAB_RE.match(text, start)
        if match and not any(m.start() < match.end() and start < m.end() for m in found):
            found.append(match)
    return found


def find_lab_values(text: str) -> list[LabResult]:
    """Every lab value and vital sign in ``text``, in order, normalised; linear in the text."""
    results: list[LabResult] = []
    for match in _BP_RE.finditer(text):
        for key in ("sbp", "dbp"):
            start, end = match.span()
            raw = LabResult(
                key, float(match.group(key)), "mmHg", raw_text=match.group(), start=start, end=end
            )
            results.append(normalize_result(raw))
    for match in _lab_matches(text):
        name = analyte_name(match.group("name"))
        if name is None:
            continue
        unit = match.group("unit")
        end = match.end()
        alternate = _ALT_UNIT_RE.match(text, end)
        if alternate and unit:
            end = alternate.end()
        first = _result(text, name, match.group("value"), unit, match.start(), end)
        results.append(first)
        position = end
        while trend := _TREND_RE.match(text, position):
            later_unit = trend.group("unit") or unit
            value_start = trend.start("value")
            results.append(
                _result(text, name, trend.group("value"), later_unit, value_start, trend.end())
            )
            position = trend.end()
    results.sort(key=lambda r: (r.start or 0, r.end or 0))
    return results
