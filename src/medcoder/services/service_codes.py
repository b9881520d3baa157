"""Service codes of one outpatient/ED note: E/M level, HCPCS drug codes, CPT procedures.

This is the entry point that puts the services together the way a claim needs them: the E/M
code (``em_extract``/``em_level``) with its MDM grid as the explanation, the drugs given with
their billing units (``jcodes``), and, when the user has imported a licensed CPT file, the
procedures documented (``cpt_procedures``) with the modifiers the note supports. Modifier 25
is decided here because only here are the E/M and the procedures seen together.

Results are :class:`CodeSuggestion` objects like the diagnosis engine's. They have no units or
modifier fields, so those travel in ``path`` as ``units: N`` and ``modifiers: RT, 25`` lines;
:func:`units_of` and :func:`modifiers_of` read them back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from medcoder.documents.model import Document
from medcoder.documents.sections import find_sections, sentences
from medcoder.errors import UsageError
from medcoder.services import em_extract
from medcoder.services.cpt_procedures import cpt_procedure_suggestions, load_cpt_index
from medcoder.services.em_grid import em_account
from medcoder.services.em_level import PROLONGED_START, EMResult
from medcoder.services.jcodes import jcode_suggestions
from medcoder.suggestions import CodeSuggestion, Evidence

SETTINGS = ("outpatient", "office", "emergency", "inpatient", "observation")
SYSTEMS = ("CPT", "HCPCS")
_CITE = re.compile(r"^(?P<kind>[\w:. -]+): '(?P<text>.*)' \[(?P<start>\d+):(?P<end>\d+)\]$", re.S)


@dataclass
class ServiceResult:
    """Suggested service codes, best first within each system, and what needs a person."""

    codes: list[CodeSuggestion] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    em: EMResult | None = None

    def to_dict(self, *, explain: bool = True) -> dict[str, object]:
        return {
            "codes": [c.to_dict(explain=explain) for c in self.codes],
            "warnings": list(self.warnings),
            "em": self.em.to_dict() if self.em else None,
        }


def units_of(suggestion: CodeSuggestion) -> int | None:
    """Billing units stated in a suggestion's path (``units: 4``); None if not computed."""
    for line in suggestion.path:
        m = re.fullmatch(r"units: (\d+)", line)
        if m:
            return int(m.group(1))
    return None


def modifiers_of(suggestion: CodeSuggestion) -> list[str]:
    """Modifiers stated in a suggestion's path (``modifiers: RT, 25``)."""
    for line in suggestion.path:
        if line.startswith("modifiers: "):
            return [m.strip() for m in line[len("modifiers: ") :].split(",") if m.strip()]
    return []


def _as_document(document: Document | str) -> Document:
    """A document with sections (a copy when they must be found: the caller's is not changed)."""
    if not isinstance(document, Document):
        document = Document("note", document)
    if not document.sections:
        sections = find_sections(document.text)
        document = replace(
            document, sections=sections, sentences=sentences(document.text, sections)
        )
    return document


def _service_date(document: Document, on: date | None) -> date | None:
    if on is not None:
        return on
    created = document.created
    return created.date() if isinstance(created, datetime) else created


def _em_setting(setting: str, new_patient: bool | None) -> str | None:
    if setting == "emergency":
        return "emergency"
    if setting in ("outpatient", "office"):
        return {True: "office-new", False: "office-established"}.get(new_patient, "office")
    return None


def _grid_evidence(document: Document, em: EMResult) -> list[Evidence]:
    """Evidence spans of the grid lines (their cites carry ``[start:end]``)."""
    out: list[Evidence] = []
    for element in ("problems", "data", "risk"):
        for cite in em.grid.get(element, {}).get("evidence", []):
            m = _CITE.match(str(cite))
            if not m:
                continue
            start, end = int(m.group("start")), int(m.group("end"))
            section = document.section_at(start)
            out.append(
                Evidence(
                    document.id,
                    start,
                    end,
                    document.text[start:end],
                    section.kind if section else element,
                )
            )
    return out


def _time_evidence(document: Document) -> list[Evidence]:
    found = em_extract.extract(document)
    return [
        Evidence(document.id, e.span.start, e.span.end, e.text, "time") for e in found.time_evidence
    ]


def _em_path(em: EMResult) -> list[str]:
    path = [f"setting: {em.setting}"]
    for element in ("problems", "data", "risk"):
        line = em.grid.get(element)
        if line:
            quoted = [m.group("text") for c in line.get("evidence", []) if (m := _CITE.match(c))]
            said = f" from {', '.join(repr(q) for q in quoted)}" if quoted else ""
            detail = f" [{line['detail']}]" if line.get("detail") else ""
            path.append(f"{element}: {line['level']}{said}{detail}")
    if em.path == "time":
        path.append(f"decided by time {em.total_minutes} min")
    elif em.path == "mdm" and em.mdm_level is not None:
        path.append(f"decided by MDM {em.mdm_level.label}: 2 of 3 elements")
    else:
        path.append("decided by: no MDM or time (lowest level, review)")
    keep = ("by time", "prolonged", "chosen", "no practitioner", "documented time")
    return path + [line for line in em.explanation if line.startswith(keep)]


def _em_score(em: EMResult) -> float:
    """How complete the grid is: each element with cited evidence adds confidence."""
    if em.path == "time":
        score = 0.9
    elif em.path == "mdm":
        cited = sum(1 for el in ("problems", "data", "risk") if em.grid.get(el, {}).get("evidence"))
        score = 0.55 + 0.35 * cited / 3
    else:
        score = 0.5
    return max(0.05, score - (0.25 if em.needs_review else 0.0))


# Sections that only a hospital stay or a procedure report has: such a record documents no
# office or ED visit, so no office/ED E/M level is drawn from it.
_FACILITY_SECTIONS = {
    "hospital_course": "discharge summary",
    "discharge_diagnoses": "discharge summary",
    "preoperative_diagnosis": "operative or procedure report",
    "postoperative_diagnosis": "operative or procedure report",
}


def _facility_record(document: Document) -> str | None:
    """The kind of hospital record ``document`` is (discharge summary, operative report), or
    None for a note that may be a visit."""
    from medcoder.documents.sections import find_sections

    sections = document.sections or find_sections(document.text)
    return next(
        (_FACILITY_SECTIONS[s.kind] for s in sections if s.kind in _FACILITY_SECTIONS), None
    )


def _em_suggestions(
    document: Document,
    setting: str,
    on: date | None,
    payer: str,
    descriptors: dict[str, str],
    warnings: list[str],
) -> tuple[list[CodeSuggestion], EMResult | None]:
    year = on.year if on else 2024
    facility = _facility_record(document)
    if facility:
        warnings.append(
            f"E/M not leveled: the document is a {facility}, not an office or emergency "
            "department visit note"
        )
        return [], None
    try:
        em = em_extract.level_note(document, setting, payer=payer, year=year)
    except UsageError as exc:
        warnings.append(f"E/M not leveled: {exc}")
        return [], None
    warnings.extend(f"E/M: {item}" for item in em.needs_review)
    if em.code is None:
        return [], em
    score = _em_score(em)
    evidence = _grid_evidence(document, em)
    time_evidence = _time_evidence(document) if em.path == "time" or em.prolonged_code else []
    code = CodeSuggestion(
        "CPT",
        em.code,
        descriptors.get(em.code, ""),
        score,
        evidence=evidence + time_evidence,
        path=_em_path(em),
        guidelines=["AMA E/M 2021/2023 MDM table and time rules (DOMAIN.md section 4)"],
    )
    code.explanation = em_account(em, payer)
    out = [code]
    if em.prolonged_code:
        start = PROLONGED_START.get((payer, em.code))
        system = "CPT" if em.prolonged_code.isdigit() else "HCPCS"
        out.append(
            CodeSuggestion(
                system,
                em.prolonged_code,
                descriptors.get(em.prolonged_code, ""),
                score,
                evidence=list(time_evidence),
                path=[
                    f"prolonged service with {em.code} ({payer})",
                    f"total time {em.total_minutes} min, from {start} min in full 15-minute units",
                    f"units: {em.prolonged_units}",
                ],
            )
        )
    return out, em


def _add_modifier_25(em_code: CodeSuggestion, procedures: list[CodeSuggestion]) -> None:
    """25 marks a significant, separately identifiable E/M on the day of a procedure."""
    done = ", ".join(dict.fromkeys(p.code for p in procedures))
    em_code.path.append(f"modifier 25: procedure {done} coded the same day")
    em_code.path.append("modifiers: 25")


def service_codes(
    document: Document | str,
    *,
    setting: str = "outpatient",
    on: date | None = None,
    systems: Iterable[str] = SYSTEMS,
    new_patient: bool | None = None,
    payer: str = "commercial",
) -> ServiceResult:
    """E/M, HCPCS drug and CPT procedure codes of one note.

    ``setting``: outpatient/office (office E/M; new vs established from ``new_patient`` or
    the note) or emergency (ED E/M); inpatient/observation notes get no E/M here. ``on``: the
    date of service (default the document's date) that picks the code-set packs.
    """
    if setting not in SETTINGS:
        raise UsageError(f"setting must be one of {', '.join(SETTINGS)}, not {setting!r}")
    wanted = {s.upper() for s in systems}
    if wanted - set(SYSTEMS):
        raise UsageError(f"systems must be among {', '.join(SYSTEMS)}")
    document = _as_document(document)
    on = _service_date(document, on)
    result = ServiceResult()
    if "CPT" in wanted:
        cpt, cpt_warnings = load_cpt_index(on)
        result.warnings += cpt_warnings
        descriptors = {c: row.description for c, row in cpt.codes.items()} if cpt else {}
        em_setting = _em_setting(setting, new_patient)
        em_codes: list[CodeSuggestion] = []
        if em_setting is None:
            result.warnings.append(f"E/M leveling for {setting} notes is not modelled here")
        else:
            em_codes, result.em = _em_suggestions(
                document, em_setting, on, payer, descriptors, result.warnings
            )
        procedures: list[CodeSuggestion] = []
        if cpt is not None:
            procedures, more = cpt_procedure_suggestions(document, on=on)
            result.warnings += [w for w in more if w not in result.warnings]
        if em_codes and procedures:
            _add_modifier_25(em_codes[0], procedures)
            result.warnings.append(
                f"E/M {em_codes[0].code} with modifier 25: confirm it is significant and "
                "separately identifiable from the procedure"
            )
        result.codes += em_codes + sorted(procedures, key=lambda c: -c.score)
    if "HCPCS" in wanted:
        drugs, drug_warnings = jcode_suggestions(document, on=on)
        result.codes += drugs
        result.warnings += drug_warnings
    return result
