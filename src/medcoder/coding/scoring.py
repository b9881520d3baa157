"""Calibrated diagnosis scores for the billing settings (``data/score_tiers.tsv``).

A score should mean what a reviewer reads into it: a code scored 0.9 is kept by a coder nine
times in ten. What decides that on real notes is where the code is stated (an assessment item
is kept far more often than a condition told only in the history of the illness) and which
guideline rule added it; the table gives each such tier the share of its codes an independent
coder kept. A code takes the tier of its strongest evidence; each further mention of it adds a
little (two places that state it are surer than one), never past 0.97.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

from medcoder.nlp.model import Assertion, Mention
from medcoder.suggestions import CodeSuggestion

_ROLE_TIER = {
    "diagnosis": "diagnosis",
    "history": "history",
    "reason": "reason",
    "narrative": "narrative",
}
_MAX = 0.97
_PER_EXTRA_MENTION = 0.02


@cache
def tiers() -> dict[str, float]:
    path = resources.files("medcoder.coding") / "data" / "score_tiers.tsv"
    with path.open(encoding="utf-8") as fh:
        rows = [line for line in fh if not line.startswith("#")]
    return {r["tier"]: float(r["probability"]) for r in csv.DictReader(rows, delimiter="\t")}


def tier_of(suggestion: CodeSuggestion, mentions: list[Mention]) -> str:
    """The strongest tier among a code's evidence, or the tier of the rule that added it."""
    rule = suggestion.path[0].split(":", 1)[0] if suggestion.path else ""
    if f"rule:{rule}" in tiers():
        return f"rule:{rule}"
    best = None
    for name in ("diagnosis", "history", "reason", "narrative"):
        found = [m for m in mentions if _ROLE_TIER.get(m.reading or "") == name]
        if found:
            best = name
            if name == "diagnosis" and all(m.assertion is Assertion.POSSIBLE for m in found):
                best = "diagnosis_uncertain"
            break
    return best or "narrative"


def score_of(
    suggestion: CodeSuggestion, mentions: list[Mention], setting: str = "outpatient"
) -> tuple[float, str]:
    """``(score, tier)`` of a diagnosis suggestion in ``setting``."""
    tier = tier_of(suggestion, mentions)
    table = tiers()
    base = table.get(f"{tier}@{setting}", table.get(tier, 0.6))
    extra = max(0, len({(e.document, e.start) for e in suggestion.evidence}) - 1)
    return min(_MAX, base + _PER_EXTRA_MENTION * extra), tier
