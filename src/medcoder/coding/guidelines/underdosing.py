"""Underdosing: taking less of a prescribed drug than prescribed (I.C.19.e.5.c).

"Underdosing refers to taking less of a medication than is prescribed by a provider or a
manufacturer's instruction ... Noncompliance (Z91.12-, Z91.13-, Z91.14- and Z91.A4-) or
complication of care (Y63.6-Y63.9) codes are to be used with an underdosing code to indicate
intent, if known." The underdosing code is the Table of Drugs cell of the drug in the
Underdosing column (7th character A); the intent code says why: forgetting or missing doses is
unintentional (Z91.138), stopping or cutting down on one's own is intentional (Z91.128), for
cost Z91.120. "Codes for underdosing should never be assigned as principal or first-listed
codes" (sequencing keeps them out of first place).

The drug is the one the statement names ("weaned himself off of his Prozac"), else the
current drug of the class it names ("forgetting to take her blood pressure medication" with
lisinopril on the list), else the drug of the sentence before ("He was on sertraline. He
stopped taking it."). Without the Table of Drugs (no index pack imported) nothing is coded.
"""

from __future__ import annotations

import re

from medcoder.coding.drugs import drug_classes
from medcoder.coding.guidelines.base import GuidelineRule, RuleContext

_UNINTENTIONAL = re.compile(
    r"\bforg[eo]t(?:s|ten|ting)?\s+(?:about\s+)?(?:to\s+take|(?:his|her|their|some|several|"
    r"a\s+few)?\s*(?:\w+\s+){0,2}(?:medications?|medicines?|pills?|doses?)\b)"
    r"|\bmiss(?:es|ed|ing)\s+(?:\w+\s+){0,2}doses?\b"
    r"|\binconsistent\s+with\s+(?:the\s+use\s+of\s+)?(?:his|her|their)\s+(?:\w+\s+){0,2}"
    r"(?:medications?|medicines?|pills?)\b",
    re.I,
)
_INTENTIONAL = re.compile(
    r"\bself[- ]?(?:discontinued|weaned|weened|tapered|stopped)\b"
    r"|\bwean(?:ed|ing)\s+(?:himself|herself|themselves)\s+off\b"
    r"|\b(?:stopped|quit)\s+taking\b"
    r"|\btaking\s+(?:a\s+)?(?:less|lower|smaller)\s+(?:of\s+(?:a|the|his|her)\s+)?(?:dose|than)\b"
    r"|\bcut(?:ting)?\s+(?:back|down)\s+on\b"
    r"|\bskip(?:s|ped|ping)?\s+(?:\w+\s+){0,2}doses?\b",
    re.I,
)
_COST = re.compile(r"\b(?:afford|too expensive|cost of|copay|co-pay)\b", re.I)
_DENIED = re.compile(
    r"\b(?:denies|denied|not|never|no|without)\b[^.;]{0,25}$|\bno longer\b[^.;]{0,10}$", re.I
)
# Stopping a drug is not taking less than prescribed when the condition it treated resolved or
# the prescriber said to stop ("heartburn resolved after two weeks of Prilosec ... has stopped
# taking Prilosec"): read in the sentence and the one before it.
_NOT_NEEDED = re.compile(
    r"\bresolved\b|\bno\s+longer\s+(?:needs?|needed|necessary|required)\b"
    r"|\b(?:as|when)\s+(?:instructed|directed|advised|prescribed)\b"
    r"|\b(?:told|instructed|advised)\s+(?:him\s+|her\s+|them\s+)?to\s+stop\b"
    r"|\bdenies\s+any\s+(?:further\s+)?(?:issues|problems|symptoms)\b"
    r"|\b(?:completed|finished)\s+(?:the|his|her|a)\s+course\b",
    re.I,
)
# What a statement calls a drug when it names its purpose rather than the drug.
_CLASS_WORDS = (
    (re.compile(r"\bblood pressure\b|\bhypertension\b|\bbp\b", re.I), ("antihypertensive",)),
    (
        re.compile(r"\bdiabetes\b|\bdiabetic\b|\bsugar\b|\bglucose\b", re.I),
        ("oral_hypoglycemic", "insulin", "injectable_antidiabetic"),
    ),
    (re.compile(r"\binsulin\b", re.I), ("insulin",)),
    (re.compile(r"\bcholesterol\b|\bstatin\b", re.I), ("statin",)),
    (re.compile(r"\bantidepressants?\b|\bdepression\b|\banxiety\b", re.I), ("antidepressant",)),
    (re.compile(r"\bthyroid\b", re.I), ("thyroid",)),
    (re.compile(r"\bblood thinners?\b|\banticoagulants?\b", re.I), ("anticoagulant",)),
    (re.compile(r"\binhalers?\b", re.I), ("inhaled_steroid", "bronchodilator")),
    (re.compile(r"\bseizure\b", re.I), ("antiepileptic",)),
)
_PRONOUN = re.compile(r"\b(?:it|them|this medication|that medication|the medication)\b", re.I)


def is_underdosing(code: str) -> bool:
    """An underdosing code: T36-T50 with 6th character 6 (never first-listed)."""
    key = code.replace(".", "").upper()
    return key[:1] == "T" and key[1:3].isdigit() and 36 <= int(key[1:3]) <= 50 and key[5:6] == "6"


def _intent(text: str, intentional: bool) -> str:
    if not intentional:
        return "Z91.138"  # unintentional underdosing, other reason
    return "Z91.120" if _COST.search(text) else "Z91.128"


def _table_code(table, name: str, drug_class: str) -> str | None:  # noqa: ANN001
    from medcoder.nlp.medications import drug_substances

    found = drug_classes().get(drug_class)
    for substance in (drug_substances().get(name), name, found.substance if found else None):
        if not substance:
            continue
        cell = table.code_for(substance, "Underdosing")
        if cell and not cell.endswith("-"):
            return cell if len(cell.replace(".", "")) >= 7 else f"{cell}A"
    return None


def apply(context: RuleContext) -> None:
    from medcoder.codesets.drug_table import installed_drug_table

    table = None
    for annotated in context.annotated.values():
        meds = [m for m in annotated.medications if m.current or m.section is None]
        previous = None
        for sentence in annotated.sentences:
            text = annotated.text[sentence.start : sentence.end]
            cue = _UNINTENTIONAL.search(text)
            intentional = cue is None
            cue = cue or _INTENTIONAL.search(text)
            before = annotated.text[previous.start : previous.end] if previous is not None else ""
            if (
                cue is None
                or _DENIED.search(text[: cue.start()])
                or (intentional and _NOT_NEEDED.search(f"{before} {text}"))
            ):
                previous = sentence
                continue
            named = [m for m in annotated.medications if sentence.start <= m.start < sentence.end]
            if not named:
                classes = next((c for p, c in _CLASS_WORDS if p.search(text)), ())
                named = [m for m in meds if m.drug_class in classes][:1]
            if not named and previous is not None and _PRONOUN.search(text[cue.start() :]):
                named = [
                    m for m in annotated.medications if previous.start <= m.start < previous.end
                ][:1]
            previous = sentence
            if not named:
                continue
            table = table or installed_drug_table()
            if table is None:
                return
            evidence = [context.evidence(annotated, sentence.start, sentence.end)]
            drug = named[0]
            code = _table_code(table, drug.name, drug.drug_class)
            if code is None:
                continue
            how = "intentional" if intentional else "unintentional"
            context.add(code, UNDERDOSING, evidence, f"underdosing of {drug.name} ({how})")
            context.add(_intent(text, intentional), UNDERDOSING, evidence, f"{how} underdosing")


UNDERDOSING = GuidelineRule(
    "underdosing",
    "I.C.19.e.5.c",
    "Taking less of a drug than prescribed: the Table of Drugs underdosing code and the intent",
    apply,
)
