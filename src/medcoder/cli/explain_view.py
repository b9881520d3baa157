"""``medcoder explain`` as a coder reads it: short "how" lines, then one table per construction.

A diagnosis is explained by its index path or rule, which fits a table cell. A PCS code is
explained position by position and an E/M level by its MDM grid; crammed into a cell they
are unreadable (issue 5), so the Assigned table says where to look and each PCS code and E/M
level gets a table of its own, built from the suggestion's ``explanation`` data (the same
data ``--format json`` carries).
"""

from __future__ import annotations

from typing import Any

from medcoder.cli.output import table

PCS_KIND = "icd10pcs-axes"
EM_KIND = "em-grid"
MAX_HOW_LINES = 3


def how(suggestion: Any) -> str:
    """The short "How" cell: the index path or rule, or a pointer to the detail table."""
    detail = suggestion.explanation or {}
    if detail.get("kind") == PCS_KIND:
        lines = [suggestion.path[0]] if suggestion.path else []
        state = (
            "complete" if detail.get("complete") else f"incomplete: {detail.get('missing_axis')}"
        )
        lines.append(f"axis by axis below ({state})")
    elif detail.get("kind") == EM_KIND:
        by = detail.get("decided_by")
        if by == "time":
            lines = [f"by total time: {(detail.get('time') or {}).get('total_minutes')} min"]
        elif by == "mdm":
            lines = [f"by MDM {detail.get('mdm_level')} (2 of 3)"]
        else:
            lines = ["no MDM or time: review"]
        lines.append("MDM grid below")
    else:
        lines = suggestion.path[:MAX_HOW_LINES]
        if len(suggestion.path) > MAX_HOW_LINES:
            lines.append(f"(+{len(suggestion.path) - MAX_HOW_LINES} more in --format json)")
    if suggestion.model_contribution:
        lines.append(f"model: {suggestion.model_contribution}")
    return "\n".join(lines)


def pcs_table(code: str, detail: dict[str, Any]):  # noqa: ANN201 - a rich Table
    """Positions 1-7: axis, character, meaning, why; the missing axis for an incomplete code."""
    title = f"{code} · ICD-10-PCS axis by axis"
    if detail.get("reported") and detail.get("code") != code:
        title += f" (built {detail['code']})"
    if not detail.get("complete"):
        title += (
            f" · incomplete: longest valid prefix {detail.get('longest_valid_prefix')}, "
            f"missing {detail.get('missing_axis')}"
        )
    t = table(title, ["Pos", "Axis", "Value", "Meaning", "Why"])
    for row in detail.get("axes", []):
        t.add_row(str(row["position"]), row["axis"], row["value"], row["meaning"], row["why"])
    return t


def em_tables(code: str, detail: dict[str, Any]) -> list:
    """The MDM grid (with the 2-of-3 result), then time, patient status and prolonged."""
    grid = table(f"{code} · E/M MDM grid", ["Element", "Level", "What the note shows"])
    for row in detail.get("grid", []):
        grid.add_row(row["element"], row["level"], row["shows"])
    facts = table(f"{code} · how the level was decided", ["What", "Found"])
    facts.add_row("patient", str(detail.get("patient")))
    facts.add_row("decided by", str(detail.get("decided_by")))
    time = detail.get("time") or {}
    if time.get("note"):
        facts.add_row("time", str(time["note"]))
    else:
        minutes = time.get("total_minutes")
        thresholds = ", ".join(f"{c} ≥{m} min" for c, m in time.get("thresholds", {}).items())
        met = f"meets {time['met']}" if time.get("met") else "meets no level"
        said = f"{minutes} min documented, {met}" if minutes is not None else "not documented"
        facts.add_row("time", f"{said} (thresholds {thresholds})")
    prolonged = detail.get("prolonged")
    if prolonged:
        facts.add_row(
            "prolonged",
            f"{prolonged['code']} x{prolonged['units']} ({prolonged['payer']}, from "
            f"{prolonged['from_minutes']} min, {prolonged['rule']})",
        )
    else:
        facts.add_row("prolonged", "none")
    for item in detail.get("needs_review", []):
        facts.add_row("review", str(item))
    return [grid, facts]


def render(out: Any, result: Any) -> None:
    """Print the explain view of one coding result to a rich console ``out``."""
    out.print(f"[bold]{result.document}[/] · setting {result.setting}")
    t = table("Assigned", ["Code", "Description", "Score", "How", "Guidelines", "Evidence"])
    details = []
    for c in result.codes:
        ev = "\n".join(
            f"“{e.text}” [{e.section or '-'}, {e.assertion}] @{e.start}" for e in c.evidence[:3]
        )
        t.add_row(c.code, c.description, f"{c.score:.2f}", how(c), ", ".join(c.guidelines), ev)
        if c.explanation:
            details.append(c)
    out.print(t)
    for c in details:
        kind = c.explanation.get("kind")
        if kind == PCS_KIND:
            out.print(pcs_table(c.code, c.explanation))
        elif kind == EM_KIND:
            for part in em_tables(c.code, c.explanation):
                out.print(part)
    for warning in result.warnings:
        out.print(f"[yellow]warning:[/] {warning}")
    r = table(
        "Considered and not reported", ["Code", "Description", "Why not", "Guideline", "Evidence"]
    )
    for rej in result.rejected:
        ev = "; ".join(f"“{e.text}”" for e in rej.evidence[:2])
        r.add_row(rej.code, rej.description, rej.reason, rej.guideline or "", ev)
    if result.rejected:
        out.print(r)
    else:
        out.print("[dim]nothing considered and left out[/]")
