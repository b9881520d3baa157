"""The scrub-findings panel of the encounter page (``_scrub.html``): the scrubber on the final
codes (:mod:`medcoder.server.scrub`), and the run stored with the latest 837P export.

``ui.js`` reloads the panel from ``/ui/encounters/{id}/scrub`` whenever the codes panel is
reloaded (``data-refresh-with="#codes"``), so an accept, reject, edit or added code shows its
effect on the claim at once.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from medcoder.server.auth import workbench
from medcoder.server.scrub import exported, scrub_codes
from medcoder.server.ui._page import PREFIX, Page, page_for, render
from medcoder.store import encounters as encounter_repo
from medcoder.store import scrubs
from medcoder.store.base import FINAL_STATES
from medcoder.store.models import EncounterRow

router = APIRouter(prefix=PREFIX, include_in_schema=False)


def _chips(encounter: EncounterRow, findings: list[dict[str, Any]]) -> None:
    """Per finding, its codes as (code, suggestion id or None): a chip shows the evidence."""
    by_code = {s.code: s.id for s in encounter.suggestions if s.state in FINAL_STATES}
    for finding in findings:
        finding["chips"] = [(code, by_code.get(code)) for code in finding.get("codes") or ()]


def _grouped(reasons: dict[str, str]) -> list[tuple[str, list[str]]]:
    """Rule ids by the reason they were not run (one line per reason)."""
    out: dict[str, list[str]] = {}
    for rule, why in reasons.items():
        out.setdefault(why, []).append(rule)
    return sorted(out.items())


def scrub_context(page: Page, encounter: EncounterRow, *, fragment: bool = False) -> dict[str, Any]:
    """What ``_scrub.html`` needs: the findings on the final codes and the last export's."""
    result = scrub_codes(workbench(page.request).scrubber, encounter)
    _chips(encounter, result["findings"])
    last = scrubs.last_export(page.session, encounter.id)
    last_export = exported(last) if last else None
    if last_export:
        _chips(encounter, last_export["findings"])
    return {
        "scrub": result,
        "scrub_not_run": _grouped({**result.get("deferred", {}), **result["rules_skipped"]}),
        "last_export": last_export,
        "scrub_fragment": fragment,
    }


@router.get("/encounters/{encounter_id}/scrub", name="ui_encounter_scrub")
def encounter_scrub_panel(
    request: Request, encounter_id: int, page: Page = Depends(page_for("read"))
) -> Response:
    """The scrub panel alone, swapped in by ui.js after the codes change."""
    encounter = encounter_repo.get_encounter(page.session, page.actor, encounter_id)
    context = {"encounter": encounter, **scrub_context(page, encounter, fragment=True)}
    return render(request, "_scrub.html", context, page=page)
