"""Drug names in clinical text, generic or brand, and whether a prescription is needed.

The E/M risk element turns on *prescription* drug management (AMA MDM table: moderate risk)
versus over-the-counter drugs (low risk), so the plan's drugs must be recognised whatever
name the author used: "Norvasc", "Lasix", "Mobic", "Ultram" as well as "lisinopril". The
dictionary is the one maintained by the ``drug-named-entity-recognition`` package (DrugBank,
MeSH, NHS and Wikipedia names, brand -> generic), read once per process. Which drugs are sold
over the counter is a short table here, by generic name, with the strength above which a
drug that is also sold over the counter needs a prescription (ibuprofen 600/800 mg, naproxen
500 mg).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Generic names sold over the counter in the US: managing them is low risk.
OTC = frozenset(
    {
        "acetaminophen",
        "aspirin",
        "polyethylene glycol 3350",
        "loratadine",
        "cetirizine",
        "fexofenadine",
        "diphenhydramine",
        "docusate",
        "guaifenesin",
        "melatonin",
        "fish oil",
        "cholecalciferol",
        "ergocalciferol",
        "vitamin b 12",
        "folic acid",
        "ferrous sulfate",
        "calcium carbonate",
        "famotidine",
        "benzoyl peroxide",
        "anti-inflammatory agents",
        "anti-inflammatory agents, non-steroidal",
        "analgesics",
        "nicotine patch",
        "loperamide",
        "simethicone",
        "bismuth subsalicylate",
        "pseudoephedrine",
        "phenylephrine",
        "oxymetazoline",
        "magnesium hydroxide",
        "sennosides",
        "psyllium",
        "glucosamine",
        "capsaicin",
        "ibuprofen",
        "naproxen",
        "ascorbic acid",
        "antacids",
        "vitamin c",
        "zinc",
        "multivitamin",
    }
)
# Over-the-counter strength limit (mg per dose); a larger documented dose is prescription.
OTC_MAX_MG = {"ibuprofen": 400.0, "naproxen": 220.0, "aspirin": 325.0}
# Brand names sold only on prescription although their generic is also sold over the counter.
RX_BRANDS = frozenset({"naprosyn", "anaprox", "anaprox ds", "celebrex"})
# Dictionary entries that, in a clinical note, name a laboratory analyte or a plain word.
NOT_A_DRUG = frozenset(
    {
        "cortisol",
        "ferritin",
        "sulfate",
        "sulfates",
        "antibodies",
        "antibody",
        "immunoglobulin",
        "immunoglobulins",
        "amino acids",
        "cow milk",
        "uric acid",
        "alkaline phosphatase",
        "aldosterone",
        "renin",
        "glucose",
        "sits",
        "testosterone",
        "estrogen",
        "insulin resistance",
        "escherichia coli",
        "e coli",
        "staphylococcus",
        "streptococcus",
    }
)
# Combination and brand products the dictionary lacks, as a prescriber writes them.
SUPPLEMENT = {
    "lortab": "hydrocodone/acetaminophen",
    "norco": "hydrocodone/acetaminophen",
    "vicodin": "hydrocodone/acetaminophen",
    "percocet": "oxycodone/acetaminophen",
    "keflex": "cephalexin",
    "augmentin": "amoxicillin/clavulanate",
    "z-pak": "azithromycin",
    "zpak": "azithromycin",
}
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'\-]*")
_DOSE = re.compile(
    r"[^.;\n]{0,25}?\b(?P<n>\d+(?:,\d{3})*(?:\.\d+)?)\s*(?P<u>mg|milligrams?|mcg|micrograms?|g|grams?"
    r"|units?|iu)\b",
    re.I,
)


@dataclass(frozen=True)
class DrugMention:
    """One drug named in the text: the words used, the generic name, the dose if written."""

    text: str
    name: str
    start: int
    end: int
    dose_mg: float | None = None

    @property
    def prescription(self) -> bool:
        """Whether managing this drug is prescription drug management."""
        if self.text.lower() in RX_BRANDS:
            return True
        if self.name not in OTC:
            return "vaccin" not in self.name
        limit = OTC_MAX_MG.get(self.name)
        return bool(limit and self.dose_mg and self.dose_mg > limit)


@lru_cache(maxsize=1)
def _dictionary() -> dict[str, list[str]]:
    """Variant (lower case) -> generic names, from drug-named-entity-recognition."""
    from drug_named_entity_recognition import drugs_finder

    names = dict(drugs_finder.drug_variant_to_canonical)
    names.update({brand: [generic] for brand, generic in SUPPLEMENT.items()})
    return names


def _dose_mg(text: str, end: int) -> float | None:
    m = _DOSE.match(text, end)
    if not m:
        return None
    amount = float(m.group("n").replace(",", ""))
    unit = m.group("u").lower()
    if unit.startswith(("mcg", "microgram")):
        return amount / 1000
    if unit in ("g", "gram", "grams"):
        return amount * 1000
    if unit.startswith("mg") or unit.startswith("milligram"):
        return amount
    return None  # units, IU: not a weight


def find_drugs(text: str, start: int = 0, end: int | None = None) -> list[DrugMention]:
    """Every drug named in ``text[start:end]``, two-word names before one-word names."""
    names = _dictionary()
    end = len(text) if end is None else end
    tokens = [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(text, start, end)]
    out: list[DrugMention] = []
    used: set[int] = set()
    for size in (2, 1):
        for i in range(len(tokens) - size + 1):
            if any(j in used for j in range(i, i + size)):
                continue
            first, last = tokens[i], tokens[i + size - 1]
            phrase = text[first[1] : last[2]]
            key = " ".join(t[0] for t in tokens[i : i + size]).lower()
            if len(key) < 4 or key in NOT_A_DRUG or key not in names:
                continue
            out.append(
                DrugMention(phrase, names[key][0], first[1], last[2], _dose_mg(text, last[2]))
            )
            used.update(range(i, i + size))
    return sorted(out, key=lambda d: d.start)
