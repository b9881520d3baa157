"""Poisoning and adverse-effect codes through the ICD-10-CM Table of Drugs and Chemicals.

A drug given in error is a poisoning, whatever its dose was meant to be (ICD-10-CM Official
Guidelines I.C.19.e.5.b: "errors made in drug prescription or in the administration of the
drug by provider, nurse, patient, or other person"), and so is an overdose; a drug correctly
prescribed and properly given that causes harm is an adverse effect (I.C.19.e.5.a). The code
is the Table of Drugs cell for the substance in the column that intent selects ("Poisoning,
Accidental (unintentional)" when the record states an error: I.C.19.e.5.b.vi codes an unknown
intent as accidental; "Adverse effect" otherwise), with the 7th character A of the initial
encounter. The table comes from the user's imported index pack; without it nothing is guessed
and the caller says so in the data-quality list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medcoder.casework.medications import named_drugs

ERROR = re.compile(
    r"\b(?:wrong (?:dose|drug|medication|patient|route)|overdose\w*|(?:\d+|ten|two|five)-fold|"
    r"in error|by mistake|mistaken(?:ly)?|instead of|prescribed for (?:another|a different)|"
    r"(?:intended|meant|ordered) for (?:another|a different)|medication error)\b",
    re.I,
)
HARM = re.compile(r"\b(?:toxicity|intoxication|poisoning|overdose\w*|toxic)\b", re.I)
GUIDELINE_POISONING = "ICD-10-CM Official Guidelines I.C.19.e.5.b (poisoning: error or overdose)"
GUIDELINE_ADVERSE = "ICD-10-CM Official Guidelines I.C.19.e.5.a (adverse effect)"


@dataclass(frozen=True)
class DrugCode:
    """A Table of Drugs code for one substance the record names, and why this column."""

    code: str
    substance: str
    column: str
    guideline: str


def drug_table():  # noqa: ANN201
    """The Table of Drugs of the newest imported index pack, or ``None`` when none is."""
    from medcoder.codesets.drug_table import installed_drug_table

    return installed_drug_table()


def errored_drugs(texts: list[str]) -> set[str]:
    """Drugs that some clause of the case names together with an error or an overdose."""
    return {
        drug
        for text in texts
        for drug, effect in named_drugs(text)
        if effect == "overdose" or ERROR.search(text)
    }


def drug_codes(text: str, *, errored: set[str], table: object) -> list[DrugCode]:
    """Codes for each drug ``text`` names that the table knows, when the clause (or another
    clause naming the same drug, ``errored``) states an error, an overdose or a toxic effect."""
    out: list[DrugCode] = []
    harmed = bool(HARM.search(text))
    for drug, effect in named_drugs(text):
        poisoned = drug in errored or effect == "overdose"
        if not (poisoned or harmed):
            continue
        column = "accidental" if poisoned else "adverse"
        cell = table.code_for(drug, column)  # type: ignore[attr-defined]
        if not cell or cell.endswith("-"):
            continue
        code = cell if len(cell.replace(".", "")) >= 7 else f"{cell}A"
        out.append(
            DrugCode(code, drug, column, GUIDELINE_POISONING if poisoned else GUIDELINE_ADVERSE)
        )
    return out
