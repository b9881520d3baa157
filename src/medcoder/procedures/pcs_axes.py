"""The axis-by-axis account of one ICD-10-PCS construction, as a coder checks it.

A PCS code is read position by position: section, body system, root operation, body part,
approach, device, qualifier (the axis names differ outside Medical and Surgical; the tables
name them). For each position the account gives the character, what it means in that table,
and why it was chosen (the documented words, the index entry, or the rule such as "B3.1a root
operation by its full definition" or "only value the table allows"). An incomplete
construction ends with its longest valid prefix and a row for the first axis the
documentation did not decide, with the values a physician query should offer.

The account is plain data (:meth:`PcsAxes.to_dict`), carried by the suggestion as its
``explanation`` so that ``medcoder explain`` can print it and its JSON can carry it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from medcoder.codesets.icd10pcs_tables import PcsTables
from medcoder.procedures.pcs_builder import PcsConstruction

KIND = "icd10pcs-axes"
_NOT_INDEX = ("operation:", "B3.", "other index leads", "index prefix")


@dataclass(frozen=True)
class AxisRow:
    """One position of a PCS code: axis, character, its meaning there, and why."""

    position: int
    axis: str
    value: str  # the character; "?" for the axis documentation left open
    meaning: str
    why: str

    def to_dict(self) -> dict[str, object]:
        return {
            "position": self.position,
            "axis": self.axis,
            "value": self.value,
            "meaning": self.meaning,
            "why": self.why,
        }


@dataclass
class PcsAxes:
    """Rows for every decided position, and for an incomplete code the missing axis."""

    code: str  # as built (the longest valid prefix when incomplete)
    reported: str  # as reported (a prefix cut to the setting's length, or the code)
    rows: list[AxisRow] = field(default_factory=list)
    missing: str | None = None
    choices: dict[str, str] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return len(self.code) == 7

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "kind": KIND,
            "code": self.code,
            "reported": self.reported,
            "complete": self.complete,
            "axes": [r.to_dict() for r in self.rows],
        }
        if not self.complete:
            out["longest_valid_prefix"] = self.code
            out["missing_axis"] = self.missing
            out["choices"] = dict(self.choices)
        return out


def start_reasons(code: str, path: list[str]) -> dict[int, str]:
    """Why the characters the index (or a procedure word) gave are what they are.

    ``path`` is the way the engine went from the note's word to ``code``: index steps first
    ("index: Cholecystectomy", "see Resection, Gallbladder 0FT4"), then the root-operation
    decision ("operation: ...", "B3.1a: ..."), which explains position 3.
    """
    steps = [p for p in path if not p.startswith(_NOT_INDEX)]
    route = " → ".join(steps) if steps else "index"
    subterms = [p for p in steps[1:] if not p.startswith(("code ", "prefix ", "see "))]
    why = {1: route}
    for position in range(2, len(code) + 1):
        why[position] = "same index entry"
    operation = next((p for p in path if p.startswith("operation:")), None)
    rules = [p.removeprefix("B3.1a: ") for p in path if p.startswith("B3.1a")]
    if len(code) >= 3 and operation:
        said = operation.removeprefix("operation: ")
        if rules:
            why[3] = f"B3.1a {'; '.join(rules)}: {said}"
        else:
            why[3] = f"index entry's root operation: {said}"
    discontinued = next((p for p in path if p.startswith("B3.3")), None)
    if discontinued and len(code) >= 3:
        why[3] = discontinued
    if len(code) >= 4 and subterms:
        why[4] = f"index subterm: {' > '.join(subterms)}"
    elif len(code) >= 4 and len(steps) > 1:
        why[4] = f"index: {steps[-1]}"
    return why


def axis_account(item: PcsConstruction, tables: PcsTables, reported: str) -> PcsAxes:
    """The rows of ``item``: one per character, plus the missing axis when incomplete."""
    account = PcsAxes(item.code, reported, missing=item.missing, choices=dict(item.choices))
    for i, char in enumerate(item.code):
        prefix = item.code[:i]
        meaning = tables.values_for(prefix).get(char, "")
        why = item.why.get(i + 1, "")
        account.rows.append(AxisRow(i + 1, tables.axis_title(prefix), char, meaning, why))
    if not item.complete and item.missing:
        offered = ", ".join(f"{k} {v}" for k, v in sorted(item.choices.items()))
        account.rows.append(
            AxisRow(
                len(item.code) + 1,
                item.missing,
                "?",
                "not documented",
                f"query the physician; the table allows: {offered}",
            )
        )
    return account
