"""Drug statements of a case file: which drug, how much, how often, and in what voice.

Medication claims turn on a number that two records state differently: the chart says
"Dilantin 100 mg three times a day", the prescription "500 mg every eight hours"; the doctor
meant 500 mg daily; a nurse gave "120 milligrams of morphine" meant for someone else. The
issue rules compare such statements drug by drug, and the poisoning codes need the drug a
toxicity or overdose sentence names, so both read them here.

A statement is *reference* when it says what should be (the chart, the intended or usual
dose, the medication list) and *action* when it says what was done (ordered, prescribed,
dispensed, given, taken). Drug names are the words next to a dose or to "toxicity",
"overdose", "intoxication", "level"; when the Table of Drugs is installed the poisoning codes
check each name against it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNIT = (
    r"(?P<unit>mg|milligrams?|mcg|micrograms?|g|grams?|units?|ml|milliliters?|millilitres?|cc|"
    r"meq|mmol)"
)
_AMOUNT = r"(?P<amount>\d+(?:[.,]\d+)?)\s*"
_NAME = r"[A-Za-z][A-Za-z-]{2,}"
_DOSE_OF_DRUG = re.compile(_AMOUNT + _UNIT + r"\s+of\s+(?P<drug>" + _NAME + r")", re.I)
_DOSE_THEN_DRUG = re.compile(_AMOUNT + _UNIT + r"\s+(?P<drug>" + _NAME + r")", re.I)
_DRUG_THEN_DOSE = re.compile(r"\b(?P<drug>" + _NAME + r")\s+" + _AMOUNT + _UNIT + r"\b", re.I)
# "the prescription for Dilantin", "a dose of heparin": the drug an order or a dose is for.
_DRUG_OBJECT = re.compile(
    r"\b(?:prescriptions?|orders?|doses?|dosage|supply|bottle|vials?|tablets?|injections?|"
    r"infusion)\s+(?:for|of)\s+(?P<drug>" + _NAME + r")",
    re.I,
)
_LIMIT = re.compile(
    r"\b(?:not (?:to )?exceed|no more than|maximum(?: daily)?(?: dose)?(?: of)?|max(?:imum)?\.?|"
    r"up to|limit(?:ed)? (?:of|to))\s*$",
    re.I,
)
_OVER = re.compile(r"\b(?:more than|over|in excess of|exceeding|above)\s*$", re.I)
_BARE_DOSE = re.compile(r"\b" + _AMOUNT + _UNIT + r"\b", re.I)
_PART = re.compile(r",?\s+(?:but|whereas|while|although|instead of|rather than)\s+|;\s*", re.I)
_DRUG_EFFECT = re.compile(
    r"\b(?P<drug>" + _NAME + r")\s+(?P<effect>toxicity|intoxication|overdose|poisoning|level)\b"
    r"|\b(?P<effect2>toxicity|intoxication|overdose|poisoning)\s+(?:of|with|from|by)\s+"
    r"(?P<drug2>" + _NAME + r")\b",
    re.I,
)
FREQUENCY = re.compile(
    r"\b(?:(?:once|twice|three times|four times)\s+(?:a|per|each)\s+day|(?:once\s+)?daily|"
    r"every\s+(?:\d+|one|two|three|four|six|eight|twelve|twenty-four)\s+hours?|"
    r"q\s?\d+\s?h|b\.?i\.?d|t\.?i\.?d|q\.?i\.?d|at bedtime|nightly|weekly|hourly|"
    r"(?:per|a)\s+day)\b",
    re.I,
)
# Words next to a dose that are not drug names ("gave 5 mg of", "a dose of 500 mg").
_NOT_DRUG_WORDS = (
    "the and was were with dose doses dosage total daily each per every then gave given took "
    "take taking prescribed ordered order orders prescription called for than from that this "
    "tablet tablets tab tabs capsule capsules pill pills injection infusion bolus drip vial "
    "vials solution suspension syrup patient resident nurse doctor physician times about "
    "approximately over under only another intended usual instead mistakenly one two three "
    "four five six eight twelve once twice thrice every times daily nightly weekly hourly po iv "
    "im sc subq sq pr sl bid tid qid prn qhs orally oral intravenous intravenously by via at in "
    "on to per stat now then exceed exceeds exceeding maximum max limit least most excess"
)
_NOT_DRUGS = frozenset(_NOT_DRUG_WORDS.split())
REFERENCE = re.compile(
    r"\b(?:intended|meant|chart(?:ed)?|record(?:ed)?|medication list|home medications?|"
    r"medication reconciliation|usual|"
    r"regular|had been taking|was taking|listed|documented|recommended|maximum|label(?:ed)?|"
    r"should have)\b",
    re.I,
)
ACTION = re.compile(
    r"\b(?:order(?:ed|s)?|prescri(?:bed|ption)|called for|dispens(?:ed|ing)|filled|gave|given|"
    r"administered|injected|infused|took|received)\b",
    re.I,
)


@dataclass(frozen=True)
class DrugStatement:
    """One dose of one drug stated in a clause (offsets are into the clause)."""

    drug: str  # lower case
    amount: float | None
    unit: str | None
    frequency: str | None
    start: int
    end: int
    reference: bool
    action: bool
    limit: bool = False  # "should not exceed 120 mg", "maximum daily dose of 4 g"
    over: bool = False  # "more than 120 mg", "in excess of 4 g"

    def dose(self) -> str:
        amount = f"{self.amount:g}" if self.amount is not None else "?"
        out = f"{amount} {self.unit or ''}".strip()
        return f"{out} {self.frequency}" if self.frequency else out


def _unit(raw: str) -> str:
    raw = raw.lower().rstrip("s")
    return {"milligram": "mg", "microgram": "mcg", "gram": "g", "milliliter": "ml",
            "millilitre": "ml", "cc": "ml"}.get(raw, raw)  # fmt: skip


def _frequency(text: str, start: int) -> str | None:
    m = FREQUENCY.search(text, start, min(len(text), start + 40))
    return " ".join(m.group(0).lower().split()) if m else None


def _voice(text: str, start: int, end: int) -> tuple[bool, bool]:
    """Whether the part of the clause around a dose is a reference or an action statement:
    "the prescription called for 500 mg every eight hours, but he intended 500 mg daily"."""
    cuts = [m.end() for m in _PART.finditer(text, 0, start)]
    left = cuts[-1] if cuts else 0
    after = _PART.search(text, end)
    part = text[left : after.start() if after else len(text)]
    return bool(REFERENCE.search(part)), bool(ACTION.search(part))


def statements(text: str, default_drug: str | None = None) -> list[DrugStatement]:
    """Every drug dose the clause ``text`` states, with its voice (reference or action); a
    dose written without a name ("...but he intended 500 mg daily") is the drug named last,
    in this clause or (``default_drug``) in the sentences before it."""
    out: list[DrugStatement] = []
    used: set[int] = set()  # where each amount starts: one statement per amount
    for pattern in (_DOSE_OF_DRUG, _DRUG_THEN_DOSE, _DOSE_THEN_DRUG, _BARE_DOSE):
        for m in pattern.finditer(text):
            at = m.start("amount")
            if at in used:
                continue
            if "drug" in m.groupdict() and m.group("drug"):
                drug = m.group("drug").lower()
                if drug in _NOT_DRUGS:
                    continue
            else:
                named = [(x.start, x.drug) for x in out] + [
                    (o.start(), o.group("drug").lower())
                    for o in _DRUG_OBJECT.finditer(text)
                    if o.group("drug").lower() not in _NOT_DRUGS
                ]
                earlier = [n for n in named if n[0] < at]
                if not earlier and default_drug is None:
                    continue
                drug = max(earlier)[1] if earlier else default_drug
            used.add(at)
            reference, action = _voice(text, m.start(), m.end())
            before = text[max(0, at - 40) : at]
            out.append(
                DrugStatement(
                    drug, float(m.group("amount").replace(",", "")), _unit(m.group("unit")),
                    _frequency(text, m.end()), m.start(), m.end(), reference, action,
                    bool(_LIMIT.search(before)), bool(_OVER.search(before)),
                )
            )  # fmt: skip
            out.sort(key=lambda x: x.start)
    return out


def named_drugs(text: str) -> list[tuple[str, str | None]]:
    """``(drug, effect)`` for every drug named next to a dose or to toxicity/overdose/level."""
    out: dict[str, str | None] = {}
    for m in _DRUG_EFFECT.finditer(text):
        drug = (m.group("drug") or m.group("drug2")).lower()
        if drug not in _NOT_DRUGS:
            out[drug] = (m.group("effect") or m.group("effect2")).lower()
    for statement in statements(text):
        out.setdefault(statement.drug, None)
    for m in _DRUG_OBJECT.finditer(text):
        if m.group("drug").lower() not in _NOT_DRUGS:
            out.setdefault(m.group("drug").lower(), None)
    return list(out.items())


def exceeds(limit: DrugStatement, given: DrugStatement) -> bool:
    """Whether a dose given or ordered is above a stated maximum for the same drug."""
    if not limit.limit or limit.drug != given.drug or limit.unit != given.unit:
        return False
    if limit.amount is None or given.amount is None or given.limit:
        return False
    return given.amount > limit.amount or (given.over and given.amount >= limit.amount)


def contradicts(a: DrugStatement, b: DrugStatement) -> bool:
    """Same drug, stated with a different amount (same unit) or a different frequency."""
    if a.drug != b.drug:
        return False
    if a.unit == b.unit and a.amount is not None and b.amount is not None and a.amount != b.amount:
        return True
    return bool(a.frequency and b.frequency and a.frequency != b.frequency)
