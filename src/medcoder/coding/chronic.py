"""Conditions chronic by nature (``data/chronic_conditions.tsv``): present at every encounter
once documented, so a past-history listing is a current condition where it affects care
(III.B for inpatient stays, IV.J for outpatient care)."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

from medcoder.codesets.systems import code_key


@cache
def chronic_prefixes() -> tuple[str, ...]:
    path = resources.files("medcoder.coding") / "data" / "chronic_conditions.tsv"
    with path.open(encoding="utf-8") as fh:
        rows = [line for line in fh if not line.startswith("#")]
    return tuple(
        code_key(row["prefix"]) for row in csv.DictReader(rows, delimiter="\t") if row["prefix"]
    )


def is_chronic(code: str) -> bool:
    """Whether ``code`` (any form: E11.9, e119) names a condition chronic by nature."""
    return code_key(code).startswith(chronic_prefixes())
