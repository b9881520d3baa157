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
from typing import TYPE_CHECKING

from medcoder.documents.doctype import document_type
from medcoder.documents.model import Document
from medcoder.documents.sections import find_sections, sentences
from medcoder.errors import UsageError
from medcoder.nlp.annotated import AnnotatedDocument
from medcoder.nlp.annotator import context_of
from medcoder.services import em_extract
from medcoder.services.cpt_procedures import cpt_procedure_suggestions, load_cpt_index
from medcoder.services.em_family import choose_family
from medcoder.services.em_grid import em_account
from medcoder.services.em_level import PROLONGED_START, EMResult
from medcoder.services.em_preventive import Preventive, preventive_visit, significant_problem
from medcoder.services.fluids_blood import fluid_blood_suggestions
from medcoder.services.jcodes import jcode_suggestions
from medcoder.suggestions import CodeSuggestion, Evidence

if TYPE_CHECKING:  # the assertion engine (spaCy) loads on first use, not on import
    from medcoder.nlp.context import ContextParse

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
    elif em.path == "preventive":
        path.append("decided by: preventive medicine visit (age and patient status)")
    else:
        path.append("decided by: no MDM or time (lowest level, review)")
    keep = (
        "by time",
        "prolonged",
        "chosen",
        "no practitioner",
        "documented time",
        "document type",
        "consultation",
        "preventive",
    )
    return path + [line for line in em.explanation if line.startswith(keep)]


def _em_score(em: EMResult) -> float:
    """How complete the grid is: each element with cited evidence adds confidence."""
    if em.path in ("time", "preventive"):
        score = 0.9
    elif em.path == "mdm":
        cited = sum(1 for el in ("problems", "data", "risk") if em.grid.get(el, {}).get("evidence"))
        score = 0.55 + 0.35 * cited / 3
    else:
        score = 0.5
    return max(0.05, score - (0.25 if em.needs_review else 0.0))


def _level(
    document: Document,
    family: str,
    found: em_extract.EMFindings,
    new_patient: bool | None,
    payer: str,
    year: int,
) -> EMResult:
    """The code of ``family`` for the findings; an office visit that is an annual exam gets
    the preventive code unless a problem was addressed significantly (em_preventive)."""
    if family == "office" and new_patient is not None:
        family = "office-new" if new_patient else "office-established"
    if family.startswith("office"):
        new = {"office-new": True, "office-established": False}.get(family, found.new_patient)
        visit = preventive_visit(document.text, document.sections, new=bool(new))
        if visit is not None:
            return _preventive(document, family, found, visit, payer, year)
    return em_extract.level_findings(found, family, payer=payer, year=year)


def _preventive(
    document: Document,
    family: str,
    found: em_extract.EMFindings,
    visit: Preventive,
    payer: str,
    year: int,
) -> EMResult:
    problem = em_extract.level_findings(found, family, payer=payer, year=year)
    if visit.code is None:
        problem.needs_review.append(
            f"preventive visit ('{visit.said}') without a stated age: the preventive code "
            "(99381-99397) is left to the coder"
        )
        return problem
    if significant_problem([e.kind for e in found.problems]):
        problem.explanation.append(
            f"preventive visit ('{visit.said}'): {visit.code} is also reported, with "
            f"modifier 25 on {problem.code} for the problem-oriented work"
        )
        problem.needs_review.append(
            f"preventive visit: report {visit.code} with {problem.code}-25 if the problem-oriented "
            "work is significant and separately identifiable"
        )
        return problem
    result = EMResult(
        visit.code,
        problem.setting,
        "preventive",
        problem.mdm_level,
        grid=problem.grid,
        explanation=[
            f"preventive visit ('{visit.said}'), age {visit.age_years:g}: {visit.code}",
            "problems addressed are stable or part of the preventive service: no separate "
            f"problem-oriented code (by MDM it would be {problem.code})",
        ],
        needs_review=problem.needs_review,
    )
    return result


def _em_suggestions(
    document: Document,
    setting: str,
    on: date | None,
    payer: str,
    descriptors: dict[str, str],
    warnings: list[str],
    *,
    new_patient: bool | None = None,
    consults: bool = False,
    annotated: AnnotatedDocument | None = None,
    context: ContextParse | None = None,
) -> tuple[list[CodeSuggestion], EMResult | None]:
    year = on.year if on else 2024
    doc_type = annotated.type if annotated is not None else document_type(document)
    choice = choose_family(doc_type, setting, consults=consults)
    if choice.family is None:
        warnings.append(f"E/M not leveled: {choice.notes[0][len('no E/M: ') :]}")
        return [], None
    try:
        found = em_extract.extract(document, context)
        em = _level(document, choice.family, found, new_patient, payer, year)
    except UsageError as exc:
        warnings.append(f"E/M not leveled: {exc}")
        return [], None
    em.needs_review = choice.review + em.needs_review
    em.explanation = [f"document type: {doc_type.value}", *choice.notes, *em.explanation]
    if choice.consult_alternative and em.code:
        alternative = em_extract.level_findings(
            found, choice.consult_alternative, payer=payer, year=year
        )
        em.explanation.append(
            f"consultation code where the payer accepts consultations: {alternative.code}"
        )
    warnings.extend(f"E/M: {item}" for item in em.needs_review)
    if em.code is None:
        return [], em
    score = _em_score(em)
    evidence = _grid_evidence(document, em)
    time_evidence = (
        [
            Evidence(document.id, e.span.start, e.span.end, e.text, "time")
            for e in found.time_evidence
        ]
        if em.path == "time" or em.prolonged_code
        else []
    )
    code = CodeSuggestion(
        "CPT",
        em.code,
        descriptors.get(em.code, ""),
        score,
        evidence=evidence + time_evidence,
        path=_em_path(em),
        guidelines=["AMA E/M 2021 office and 2023 hospital/ED/consultation MDM and time rules"],
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
    consults: bool = False,
    annotated: AnnotatedDocument | None = None,
) -> ServiceResult:
    """E/M, HCPCS drug and CPT procedure codes of one note.

    The E/M family comes from the document's type and ``setting`` (``em_family``): office
    new/established (from ``new_patient`` or the note), emergency department, initial or
    subsequent hospital care, consultations where the payer accepts them (``consults``); no
    E/M for reports, letters and discharge summaries. ``on``: the date of service (default
    the document's date) that picks the code-set packs. ``annotated``: the document as the
    coding pipeline annotated it; its type and assertion parse are read, not computed again.
    """
    if setting not in SETTINGS:
        raise UsageError(f"setting must be one of {', '.join(SETTINGS)}, not {setting!r}")
    wanted = {s.upper() for s in systems}
    if wanted - set(SYSTEMS):
        raise UsageError(f"systems must be among {', '.join(SYSTEMS)}")
    document = _as_document(document)
    on = _service_date(document, on)
    result = ServiceResult()
    context = context_of(document, annotated)  # tokenised on first use, once for all
    if "CPT" in wanted:
        cpt, cpt_warnings = load_cpt_index(on)
        result.warnings += cpt_warnings
        descriptors = {c: row.description for c, row in cpt.codes.items()} if cpt else {}
        em_codes, result.em = _em_suggestions(
            document,
            setting,
            on,
            payer,
            descriptors,
            result.warnings,
            new_patient=new_patient,
            consults=consults,
            annotated=annotated,
            context=context,
        )
        procedures: list[CodeSuggestion] = []
        if cpt is not None:
            procedures, more = cpt_procedure_suggestions(document, on=on, context=context)
            result.warnings += [w for w in more if w not in result.warnings]
        if em_codes and procedures:
            _add_modifier_25(em_codes[0], procedures)
            result.warnings.append(
                f"E/M {em_codes[0].code} with modifier 25: confirm it is significant and "
                "separately identifiable from the procedure"
            )
        result.codes += em_codes + sorted(procedures, key=lambda c: -c.score)
    if "HCPCS" in wanted:
        drugs, drug_warnings = jcode_suggestions(document, on=on, context=context)
        fluids, fluid_warnings = fluid_blood_suggestions(document, on=on, context=context)
        result.codes += drugs + fluids
        result.warnings += drug_warnings + fluid_warnings
    return result
