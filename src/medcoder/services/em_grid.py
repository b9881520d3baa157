"""The E/M account a coder checks: the MDM grid, the 2-of-3 result, time, patient status.

An E/M level is audited from a grid, not from prose (AMA 2021/2023 MDM table; docs/domain.md
section 4): one row per MDM element (problems; data in its three categories; risk) with the
level each reached and what in the note showed it, then the MDM level met or exceeded by 2 of
the 3 elements. When total time decided the level, the time thresholds of the code family are
part of the account, and so are new vs established patient and prolonged services.

:func:`em_account` turns an :class:`EMResult` into that account as plain data; the E/M
suggestion carries it as its ``explanation`` and ``medcoder explain`` prints it as tables.
"""

from __future__ import annotations

import re

from medcoder.services.em_level import FAMILIES, PROLONGED_START, EMResult

KIND = "em-grid"
_CITE = re.compile(r"^(?P<kind>[\w:. -]+): '(?P<text>.*)' \[\d+:\d+\]$", re.S)
_PATIENT = {
    "office-new": "new",
    "office-established": "established",
    "emergency": "not applicable (emergency department)",
    "hospital-initial": "not applicable (initial hospital inpatient or observation care)",
    "hospital-subsequent": "not applicable (subsequent hospital inpatient or observation care)",
    "consult-office": "not applicable (office or outpatient consultation)",
    "consult-inpatient": "not applicable (inpatient or observation consultation)",
}


def _quotes(cites: object) -> str:
    """The note's words behind a grid line ('kind: text' cites -> quoted text)."""
    out = []
    for cite in cites if isinstance(cites, list) else []:
        m = _CITE.match(str(cite))
        out.append(f"{m.group('kind')}: “{m.group('text')}”" if m else str(cite))
    return "; ".join(out)


def _data_rows(data: dict[str, object]) -> list[dict[str, str]]:
    categories = data.get("categories")
    if not isinstance(categories, dict):
        return []
    rows = []
    one = categories.get("1", {})
    rows.append(
        {
            "element": f"Data, category 1: {one.get('name', '')}",
            "level": "met (3+ items)" if one.get("met") else "not met",
            "shows": (
                f"{one.get('unique_tests', 0)} unique test(s), "
                f"{one.get('external_notes', 0)} external note source(s), independent "
                f"historian: {'yes' if one.get('independent_historian') else 'no'}"
            ),
        }
    )
    for key in ("2", "3"):
        cat = categories.get(key, {})
        rows.append(
            {
                "element": f"Data, category {key}: {cat.get('name', '')}",
                "level": "met" if cat.get("met") else "not met",
                "shows": "documented" if cat.get("met") else "not documented",
            }
        )
    return rows


def _grid_rows(em: EMResult) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    labels = {"problems": "Problems addressed", "data": "Data reviewed and analysed"}
    for element in ("problems", "data", "risk"):
        line = em.grid.get(element)
        if not line:
            continue
        shows = _quotes(line.get("evidence"))
        if element == "data" and line.get("detail"):
            met = str(line["detail"]).rpartition("->")[2].strip()
            shows = f"{met} met" + (f"; {shows}" if shows else "")
        rows.append(
            {
                "element": labels.get(element, "Risk of patient management"),
                "level": str(line.get("level", "")),
                "shows": shows or "nothing documented",
            }
        )
        if element == "data":
            rows += _data_rows(line)
    if em.mdm_level is not None:
        levels = ", ".join(f"{e} {em.grid[e]['level']}" for e in em.grid if "level" in em.grid[e])
        rows.append(
            {
                "element": "MDM (2 of 3)",
                "level": em.mdm_level.label,
                "shows": f"{levels}: the level met or exceeded by 2 of the 3 elements",
            }
        )
    return rows


def _time(em: EMResult) -> dict[str, object] | None:
    if em.setting == "emergency":
        return {
            "total_minutes": em.total_minutes,
            "thresholds": {},
            "note": "ED levels are chosen by MDM only; time never selects them",
        }
    family = FAMILIES.get(em.setting)
    table = (family.times if family else None) or {}
    met = [c for c, m in table.items() if em.total_minutes is not None and em.total_minutes >= m]
    return {
        "total_minutes": em.total_minutes,
        "thresholds": dict(table),
        "met": met[-1] if met else None,
        "decided": em.path == "time",
    }


def em_account(em: EMResult, payer: str = "commercial") -> dict[str, object]:
    """The grid, 2-of-3 result, time thresholds, patient status and prolonged service of
    ``em`` as plain data (see the module docstring for why each is there)."""
    prolonged = None
    if em.prolonged_code:
        prolonged = {
            "code": em.prolonged_code,
            "units": em.prolonged_units,
            "payer": payer,
            "from_minutes": PROLONGED_START.get((payer, em.code or "")),
            "rule": "full 15-minute units beyond the start, only when time chose the level",
        }
    return {
        "kind": KIND,
        "code": em.code,
        "setting": em.setting,
        "patient": _PATIENT.get(em.setting, "not stated"),
        "decided_by": em.path,
        "mdm_level": em.mdm_level.label if em.mdm_level else None,
        "grid": _grid_rows(em),
        "time": _time(em),
        "prolonged": prolonged,
        "needs_review": list(em.needs_review),
    }
