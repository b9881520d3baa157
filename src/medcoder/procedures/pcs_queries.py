"""What a billing setting reports: complete, significant procedures; the rest as queries.

* A8: "All seven characters must be specified to be a valid code. If the documentation is
  incomplete for coding purposes, the physician should be queried." A construction missing an
  axis is never a code in the inpatient or outpatient settings: it becomes a
  :class:`PcsQuery` naming the missing axis and the values the table allows ("approach not
  documented for 'cholecystectomy': open or percutaneous endoscopic?"), with the axes
  already decided.
* UHDDS (item 12) reports *significant* procedures: surgical in nature, or carrying a
  procedural or anesthetic risk, or needing specialized training. Medical and surgical,
  obstetric, extracorporeal assistance (ventilation, dialysis), radiation and new-technology
  procedures are; routine imaging, measurements (an ECG), administration and
  rehabilitation are not, except the invasive ones: angiography (fluoroscopy of the heart
  and vessels with contrast injected through a catheter) and cardiac catheterization.
* B3.11a: an inspection done to achieve the objective of another procedure is not coded;
  B3.11c keeps it when the other procedure on that body part uses another approach.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from medcoder.procedures.pcs_builder import PcsConstruction
from medcoder.procedures.pcs_vocabulary import LATERALITY, phrase
from medcoder.suggestions import CodeSuggestion, Evidence, Rejected

SIGNIFICANT_SECTIONS = frozenset("015DX")
_VESSELS = frozenset("2345")  # imaging body systems: heart, upper/lower arteries, veins
_CATHETERIZATION = "4A02"  # measurement of the cardiac system (sampling and pressure: N)
NOT_SIGNIFICANT = (
    "UHDDS: not a significant procedure (not surgical, no anesthetic or procedural risk, no "
    "specialized training): not reported for the stay"
)


def significant(code: str) -> bool:
    """Whether a (possibly partial) code is a significant procedure in the UHDDS sense."""
    if not code:
        return False
    if code[0] in SIGNIFICANT_SECTIONS:
        return True
    if code[0] == "B":  # imaging: only angiography (fluoroscopy of the heart and vessels)
        return len(code) < 3 or (code[1] in _VESSELS and code[2] == "1")
    if code[0] == "4":
        return code.startswith(_CATHETERIZATION) and (len(code) < 6 or code[5] == "N")
    return False


@dataclass
class PcsQuery:
    """A procedure the note documents too little to code: what to ask the physician."""

    text: str  # the note's words for the procedure
    question: str
    prefix: str = ""  # the characters already decided (longest valid prefix)
    missing: str | None = None  # the first axis not documented
    choices: dict[str, str] = field(default_factory=dict)
    evidence: list[Evidence] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "text": self.text,
            "question": self.question,
            "prefix": self.prefix,
            "missing_axis": self.missing,
            "choices": dict(self.choices),
            "evidence": [e.to_dict() for e in self.evidence],
        }

    def as_rejected(self) -> Rejected:
        """The query as a candidate considered and not reported (guideline A8)."""
        return Rejected(
            self.prefix, self.question, "documentation incomplete: query", "A8", list(self.evidence)
        )

    @property
    def message(self) -> str:
        """One line for a warning list."""
        decided = f" (decided: {self.prefix})" if self.prefix else ""
        return f"procedure query: {self.question}{decided}"


def question(item: PcsConstruction, text: str) -> str:
    """The physician question for an incomplete construction, in the table's words."""
    axis = (item.missing or "axis").lower()
    labels = [label.lower() for label in item.choices.values() if label]
    if axis == "body part" and labels and _only_sides(list(item.choices.values())):
        sides = sorted({_side(label) for label in item.choices.values()} - {""})
        return f"side not documented for {text!r}: {_either(sides)}?"
    if not labels:
        return f"{axis} not documented for {text!r}"
    if len(labels) > 6:
        return f"{axis} not documented for {text!r} ({len(labels)} values possible)"
    return f"{axis} not documented for {text!r}: {_either(labels)}?"


def query_for(item: PcsConstruction, text: str, evidence: Evidence) -> PcsQuery:
    return PcsQuery(
        text, question(item, text), item.code, item.missing, dict(item.choices), [evidence]
    )


def drop_integral_inspections(
    codes: list[CodeSuggestion],
) -> tuple[list[CodeSuggestion], list[CodeSuggestion]]:
    """Split ``codes`` into kept and integral inspections (B3.11a, with B3.11c)."""
    others = [c for c in codes if c.code[:1] == "0" and c.code[2:3] != "J"]
    kept, dropped = [], []
    for code in codes:
        if code.code[:1] != "0" or code.code[2:3] != "J" or not others:
            kept.append(code)
            continue
        same_part = [o for o in others if o.code[1] == code.code[1] and o.code[3] == code.code[3]]
        if same_part and all(o.code[4] != code.code[4] for o in same_part):
            kept.append(code)  # B3.11c: same body part reached by another approach
        else:
            dropped.append(code)
    return kept, dropped


def _only_sides(labels: list[str]) -> bool:
    """Whether the values differ only by side (Inguinal Region, Right / Left / Bilateral)."""
    bases = {tuple(w for w in phrase(label) if w not in LATERALITY) for label in labels}
    return len(bases) == 1 and all(_side(label) for label in labels)


def _side(label: str) -> str:
    for side in ("Bilateral", "Right", "Left"):
        if side in label:
            return side.lower()
    return ""


def _either(values: list[str]) -> str:
    if len(values) <= 1:
        return "".join(values)
    return ", ".join(values[:-1]) + " or " + values[-1]
