"""The synopsis of facts and the summary report model.

A claims synopsis is read by people who decide money and reputations, so it states only
what the records state: every sentence is built from cited events and
:class:`SynopsisStatement` refuses to exist without a citation. Interpretation (issues, allegation
and severity suggestions) is labelled as a suggestion and cites the events it rests on.
Open questions for the physician reviewer are kept apart from the statements, because a
question about a missing record has nothing to cite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from medcoder.casework import handover
from medcoder.casework.case import Case, Citation, Party
from medcoder.casework.chronology import Chronology, DataQualityItem, Event
from medcoder.casework.classify import Classification
from medcoder.casework.coding import CaseCode
from medcoder.casework.dates import describe
from medcoder.casework.issues import Issue

_KEY_VISIT = re.compile(
    r"\b(?:presented|arrived|admitted|returned|discharged|transferred|came (?:to|back)|saw)\b",
    re.I,
)
MAX_QUOTE = 240
MAX_FACTS = 60


@dataclass
class SynopsisStatement:
    """One sentence of the synopsis with the citation(s) of the events it states."""

    text: str
    citations: list[Citation]

    def __post_init__(self) -> None:
        if not self.citations:
            raise ValueError("a synopsis statement needs at least one citation")

    def to_dict(self) -> dict[str, object]:
        return {"text": self.text, "citations": [c.to_dict() for c in self.citations]}


@dataclass
class Question:
    """An open question for the physician reviewer; cites what prompted it where it can."""

    text: str
    citations: list[Citation] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {"text": self.text, "citations": [c.to_dict() for c in self.citations]}


@dataclass
class SynopsisSection:
    title: str
    statements: list[SynopsisStatement] = field(default_factory=list)


@dataclass
class PhysicianSection:
    """Background of one defendant; filled from :mod:`providers` when a lookup was run."""

    party: Party
    profile: object | None = None  # providers.ProviderProfile
    status: str = "not retrieved: run `medcoder provider lookup`"


@dataclass
class CaseReport:
    header: dict[str, object]
    synopsis: list[SynopsisSection]
    chronology: Chronology
    critical_events: list[str]
    issues: list[Issue]
    classification: Classification
    codes: list[CaseCode]
    physicians: list[PhysicianSection]
    open_questions: list[Question]
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def data_quality(self) -> list[DataQualityItem]:
        return self.chronology.data_quality

    def statements(self) -> list[SynopsisStatement]:
        return [s for section in self.synopsis for s in section.statements]

    def to_dict(self) -> dict[str, object]:
        return {
            "generated_at": self.generated_at.isoformat(),
            "header": self.header,
            "synopsis": [
                {"title": s.title, "statements": [st.to_dict() for st in s.statements]}
                for s in self.synopsis
            ],
            "chronology": self.chronology.to_dict(),
            "critical_events": self.critical_events,
            "issues": [i.to_dict() for i in self.issues],
            "classification": self.classification.to_dict(),
            "codes": [c.to_dict() for c in self.codes],
            "physicians": [
                {
                    "name": p.party.name,
                    "role": p.party.role,
                    "specialty": p.party.specialty,
                    "npi": p.party.npi,
                    "status": p.status,
                    "profile": p.profile.to_dict() if hasattr(p.profile, "to_dict") else None,  # type: ignore[union-attr]
                }
                for p in self.physicians
            ],
            "open_questions": [q.to_dict() for q in self.open_questions],
        }


def when(event: Event) -> str:
    """``03/14/2021 03:15``, ``03/14/2021 (morning)``, ``March 2016``, ``about July 2007``,
    ``undated (about twelve hours later)``: no more precise than the record."""
    return describe(
        event.date,
        precision=event.precision,
        approximate=event.approximate,
        clock=event.time,
        part_of_day=event.part_of_day,
        said=event.date_text,
    )


def quote(event: Event) -> str:
    text = " ".join(event.text.split())
    return text if len(text) <= MAX_QUOTE else text[: MAX_QUOTE - 1].rstrip() + "\u2026"


def critical_events(chron: Chronology, issues: list[Issue]) -> list[str]:
    """Inflection points, issue evidence, abnormal results, procedures and outcomes, dated or
    not, in the order of the timeline."""
    wanted: set[str] = {i for issue in issues for i in issue.events}
    wanted |= {f for flag in chron.flags for f in flag.events}
    timeline = chron.timeline()
    for event in timeline:
        if (
            event.abnormal
            or event.type in ("outcome", "procedure", "incident")
            or _KEY_VISIT.search(event.text)
        ):
            wanted.add(event.id)
    return [e.id for e in timeline if e.id in wanted][:MAX_FACTS]


def _fact(event: Event) -> SynopsisStatement:
    where = f" ({event.setting})" if event.setting else ""
    return SynopsisStatement(
        f'{when(event)}{where}: the record states "{quote(event)}".', [event.citation]
    )


def build_report(
    case: Case,
    chron: Chronology,
    issues: list[Issue],
    classification: Classification,
    codes: list[CaseCode],
    physicians: list[PhysicianSection] | None = None,
) -> CaseReport:
    """Assemble the report; every synopsis sentence cites at least one event.

    The synopsis follows what an examiner hands on: who, what happened and when, the injury,
    the alleged deviation (the claim's words, then the questions the records raise), the
    outcome and the procedural posture; then the suggested NPDB allegation, the conflicts in
    the records and the codes.
    """
    critical = critical_events(chron, issues)
    who = SynopsisSection("Who", handover.who(case, chron, SynopsisStatement))
    facts = SynopsisSection(
        "What happened and when", [_fact(e) for i in critical if (e := chron.event(i))]
    )
    injury = SynopsisSection("Injury")
    sev = classification.severity
    if sev and sev.evidence:
        injury.statements.append(
            SynopsisStatement(
                f"Suggested severity: NPDB outcome {sev.code} ({sev.label}), CRICO band "
                f"{sev.extra.get('crico_band')}; {sev.rationale}.",
                sev.evidence,
            )
        )
    for event in chron.timeline():
        if event.type == "outcome":
            injury.statements.append(_fact(event))
    deviation = SynopsisSection(
        "Alleged deviation", handover.alleged_deviation(chron, issues, SynopsisStatement, when)
    )
    posture = SynopsisSection(
        "Outcome and procedural posture", handover.outcome(chron, SynopsisStatement, when)
    )
    allegations = SynopsisSection("Allegations (suggested)")
    for a in classification.allegations:
        allegations.statements.append(
            SynopsisStatement(
                f"Suggested NPDB allegation: group {a.extra['group_code']} ({a.extra['group_label']}), "
                f"specific allegation {a.code} ({a.label}), confidence {a.confidence:.2f}; "
                f"supported by {len(a.evidence)} cited event(s).",
                a.evidence,
            )
        )
    flag_section = SynopsisSection("Conflicts and gaps")
    for flag in chron.flags:
        cites = [e.citation for i in flag.events if (e := chron.event(i))]
        if cites:
            flag_section.statements.append(
                SynopsisStatement(
                    f"{flag.kind.replace('_', ' ').capitalize()}: {flag.message}.", cites
                )
            )
    code_section = SynopsisSection("Codes of the episode")
    for c in codes:
        if c.citations:
            code_section.statements.append(
                SynopsisStatement(
                    f"{c.system} {c.code} ({c.description}) [{c.kind.replace('_', ' ')}] is "
                    "supported by the cited text.",
                    c.citations,
                )
            )
    sections = [
        who, facts, injury, deviation, posture, allegations, flag_section, code_section,
    ]  # fmt: skip
    doctors = (
        physicians
        if physicians is not None
        else [PhysicianSection(p) for p in case.defendants if p.role != "facility"]
    )
    return CaseReport(
        header=case.header(),
        synopsis=[s for s in sections if s.statements],
        chronology=chron,
        critical_events=critical,
        issues=issues,
        classification=classification,
        codes=codes,
        physicians=doctors,
        open_questions=open_questions(case, chron, issues, classification),
    )


def open_questions(
    case: Case, chron: Chronology, issues: list[Issue], classification: Classification
) -> list[Question]:
    """What the physician reviewer must answer or obtain before an opinion can be given."""
    out: list[Question] = []
    for issue in issues:
        point = chron.event(issue.inflection_point or "")
        if point:
            out.append(
                Question(
                    f"{issue.title}: was the standard of care met at {when(point)}, and what should have been done then?",
                    [point.citation],
                )
            )
    undated = [d for d in chron.data_quality if d.kind == "undated_event"]
    if undated:
        relative = sum("relative to an earlier event" in d.message for d in undated)
        out.append(
            Question(
                f"{len(undated)} event(s) have no calendar date"
                + (f" ({relative} dated only relative to another event)" if relative else "")
                + ": can the original records date them?",
                [d.citation for d in undated if d.citation][:10],
            )
        )
    for item in chron.data_quality:
        if item.kind == "undated_event":
            continue
        cites = [item.citation] if item.citation else []
        out.append(
            Question(
                f"Data quality ({item.kind.replace('_', ' ')}, {item.source}): {item.message}. Can this be resolved from the original records?",
                cites,
            )
        )
    if classification.severity is None or classification.severity.code == "10":
        out.append(
            Question(
                "The records state no outcome: what is the claimant's current condition and prognosis?"
            )
        )
    if case.incident_date is None:
        out.append(
            Question(
                "No incident date in the claim manifest: which event is the alleged act or omission?"
            )
        )
    return out
