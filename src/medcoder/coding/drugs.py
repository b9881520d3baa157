"""What coding does with a drug class (``data/drug_classes.tsv``): the long-term drug therapy
code it calls for and the chronic conditions it treats."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

from medcoder.codesets.systems import code_key


@dataclass(frozen=True)
class DrugClass:
    name: str
    long_term: str | None  # Z79 code, display form
    needs: tuple[str, ...]  # code keys one of which must be coded for long_term to apply
    treats: tuple[str, ...]  # code keys of conditions the class treats
    substance: str | None = None  # its Table of Drugs entry, for drugs the Table does not name


def _keys(cell: str) -> tuple[str, ...]:
    return tuple(code_key(c) for c in cell.split(",") if c.strip())


@cache
def drug_classes() -> dict[str, DrugClass]:
    path = resources.files("medcoder.coding") / "data" / "drug_classes.tsv"
    with path.open(encoding="utf-8") as fh:
        rows = [line for line in fh if not line.startswith("#")]
    return {
        row["class"]: DrugClass(
            row["class"],
            row["long_term"] or None,
            _keys(row["needs"]),
            _keys(row["treats"]),
            row.get("substance") or None,
        )
        for row in csv.DictReader(rows, delimiter="\t")
    }


def treated_by(classes: set[str]) -> tuple[str, ...]:
    """Code prefixes of the conditions the given drug classes treat."""
    table = drug_classes()
    return tuple(p for c in classes if c in table for p in table[c].treats)
