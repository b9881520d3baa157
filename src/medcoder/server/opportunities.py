"""What the workbench asks of the CDI library: the query opportunities of a stored encounter,
each drafted and linted, ready to be stored as open queries (``store.queries.add_drafts``).

The codes the rules read are the encounter's stored codes as reviewed (a rejected code is not
there, an added or edited one is), so a CDI specialist never queries what a coder already
settled. Kept in the shell: the store stays free of the library's rule engine.
"""

from __future__ import annotations

from typing import Any

from medcoder.server.coding import core_encounter
from medcoder.store.base import ReviewState
from medcoder.store.models import EncounterRow


def _coding_result(row: EncounterRow) -> object | None:
    """The stored codes (not rejected) as the library's CodingResult; None before coding."""
    from medcoder.suggestions import CodeSuggestion, CodingResult, Evidence

    kept = [s for s in row.suggestions if s.state != ReviewState.REJECTED.value]
    if not row.suggestions:
        return None
    codes = [
        CodeSuggestion(
            s.system,
            s.code,
            s.description or "",
            float(s.score or 0.0),
            [
                Evidence(
                    e["document"],
                    e["start"],
                    e["end"],
                    e.get("text", ""),
                    section=e.get("section"),
                    assertion=e.get("assertion", "present"),
                )  # fmt: skip
                for e in s.evidence or []
            ],
            poa=s.poa,
            principal=s.principal,
        )
        for s in kept
    ]
    return CodingResult(f"enc{row.id}", row.setting, codes)


def drafted_queries(row: EncounterRow) -> list[dict[str, Any]]:
    """One draft per opportunity: the question, options, the full draft and its lint."""
    from medcoder.cdi import find_opportunities, lint_query

    encounter = core_encounter(row)
    found = find_opportunities(encounter, _coding_result(row), setting=row.setting)
    drafts = []
    for opportunity in found:
        query = opportunity.query
        if query is None:
            continue
        draft = query.to_dict() | {
            "title": opportunity.title,
            "excluded": [e["text"] + ": " + e["reason"] for e in opportunity.to_dict()["excluded"]],
        }
        lint = [f.to_dict() for f in lint_query(query.text, query_type=query.format)]
        drafts.append(
            {
                "rule_id": opportunity.rule_id,
                "code": opportunity.code,
                "question": query.question,
                "options": query.options,
                "draft": draft,
                "lint": lint,
            }
        )
    return drafts
