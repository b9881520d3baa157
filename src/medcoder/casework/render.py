"""Render a :class:`CaseReport` to HTML (Jinja2, autoescaped), PDF (reportlab) or JSON.

Record text is untrusted input: a note can contain ``<script>`` or ``&``, so the HTML
template is rendered with autoescape on, and every string that goes into a reportlab
``Paragraph`` (which parses a mini-markup) is escaped first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html import escape
from io import BytesIO
from pathlib import Path

from medcoder.casework.case import Citation
from medcoder.casework.synopsis import CaseReport, when

TEMPLATES = Path(__file__).parent / "templates"
DISCLAIMER = (
    "This report sets out what the records state, each statement with its source, and "
    "suggestions for a physician reviewer; it is not a finding of fact, of negligence or of "
    "causation."
)


def _labeller(names: dict[str, str] | None) -> Callable[[Citation], str]:
    """``Citation.label`` with the document named as the reader knows it (a file name where the
    caller has one; the workbench's document ids are internal keys like ``cdoc4``)."""
    names = names or {}

    def label(c: Citation) -> str:
        page = f" p.{c.page}" if c.page else ""
        return f"{names.get(c.document, c.document)}{page} @{c.start}-{c.end}"

    return label


def _inflection(
    report: CaseReport, label: Callable[[Citation], str]
) -> Callable[[str | None], str]:
    """An issue's inflection point as a reader finds it (when, and where it is cited), not as
    the event id the analysis links it by."""

    def point(event_id: str | None) -> str:
        event = report.chronology.event(event_id or "")
        if event is None:
            return "not determined"
        return f"{when(event)} [{label(event.citation)}]"

    return point


def name_documents(names: dict[str, str] | None) -> Callable[[str], str]:
    """A function that replaces document ids in generated text (questions, flag and
    data-quality messages name their record by id) with the names in ``names``, so a reader
    never meets an internal key like ``cdoc4``; ids match as whole words only."""
    if not names:
        return lambda text: text
    pattern = re.compile(
        r"\b(?:" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")\b"
    )
    return lambda text: pattern.sub(lambda m: names[m.group(0)], text)


def _anchor_text(report: CaseReport) -> Callable[[object], str]:
    """For an event dated relative to another one: the other event, as a short quote."""

    def anchor(event: object) -> str:
        source = report.chronology.event(getattr(event, "relative_to", None) or "")
        if source is None:
            return ""
        text = " ".join(source.text.split())
        return f"{when(source)}: {text[:90]}" + ("\u2026" if len(text) > 90 else "")

    return anchor


def render_html(report: CaseReport, names: dict[str, str] | None = None) -> str:
    """The report as one self-contained HTML page; ``names`` maps document ids to file names."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined
    )
    template = env.get_template("case_report.html.j2")
    return template.render(
        header=report.header,
        generated_at=report.generated_at.strftime("%Y-%m-%d %H:%M UTC"),
        synopsis=report.synopsis,
        chronology=report.chronology,
        timeline=report.chronology.timeline(),
        anchor=_anchor_text(report),
        disclaimer=DISCLAIMER,
        critical=set(report.critical_events),
        issues=report.issues,
        classification=report.classification,
        codes=report.codes,
        physicians=report.physicians,
        data_quality=report.data_quality,
        open_questions=report.open_questions,
        when=when,
        label=_labeller(names),
        named=name_documents(names),
        point=_inflection(report, _labeller(names)),
    )


def render_text(report: CaseReport, names: dict[str, str] | None = None) -> str:
    """Plain text for the workbench's report workflow, where a reviewer edits the synopsis as
    text and every correction is kept as a diff; citations stay in brackets after each
    sentence so an edited synopsis still says where each fact comes from. ``names`` maps
    document ids to the names a reader knows them by (the workbench's ids are keys)."""
    cited, named = _labeller(names), name_documents(names)
    h = report.header
    lines = ["SYNOPSIS OF FACTS", ""]
    for label, key in (
        ("Claim", "claim_number"),
        ("Suit", "suit_number"),
        ("Claimant", "claimant"),
        ("Incident", "incident_date"),
        ("Jurisdiction", "jurisdiction"),
    ):
        if h.get(key):
            lines.append(f"{label}: {h[key]}")
    for d in h.get("defendants") or []:  # type: ignore[union-attr]
        lines.append(f"Defendant: {d['name']}" + (f" ({d['role']})" if d.get("role") else ""))
    for section in report.synopsis:
        lines += ["", section.title.upper()]
        for st in section.statements:
            lines.append(f"- {named(st.text)} [{'; '.join(cited(c) for c in st.citations)}]")
    if report.data_quality:
        lines += ["", "DATA QUALITY"]
        lines += [
            f"- {d.kind.replace('_', ' ')} ({named(d.source)}): {named(d.message)}"
            for d in report.data_quality
        ]
    if report.open_questions:
        lines += ["", "OPEN QUESTIONS FOR THE PHYSICIAN REVIEWER"]
        lines += [f"{i}. {named(q.text)}" for i, q in enumerate(report.open_questions, 1)]
    return "\n".join(lines) + "\n"


def render_json(report: CaseReport) -> str:
    """The report as JSON (``CaseReport.to_dict``; ``restore.report_from_dict`` reads it back)."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False, default=str)


def render_pdf(report: CaseReport, names: dict[str, str] | None = None) -> bytes:
    """A paginated PDF with the sections of the HTML report: header, synopsis with citations,
    chronology table (dated and undated events in timeline order, split across pages, its
    heading row repeated), procedural history, issues, classification, codes, physician
    background, data quality and the open questions. A section with nothing to show is left
    out rather than printed as an empty table; every page carries its number and the
    disclaimer. ``names`` maps document ids to the file names a reader knows them by."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import inch
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    label, named = _labeller(names), name_documents(names)
    point, anchor = _inflection(report, label), _anchor_text(report)
    grid = TableStyle(
        [("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    )

    def p(text: object, style=None) -> Paragraph:  # noqa: ANN001
        return Paragraph(escape(str(text)), style or styles["BodyText"])

    def heading(title: str) -> list[object]:
        return [Spacer(1, 6), p(title, styles["Heading2"])]

    def table(head: tuple[str, ...], rows: list[list[object]], widths: list[float]) -> Table:
        out = Table(
            [[p(x, small) for x in head]] + [[p(x, small) for x in row] for row in rows],
            colWidths=[w * inch for w in widths],
            repeatRows=1,
        )
        out.setStyle(grid)
        return out

    story: list[object] = [p("Case summary report", styles["Title"]), p(DISCLAIMER, small)]
    h = report.header
    rows = [
        ["Claim #", h.get("claim_number") or "-", "Suit #", h.get("suit_number") or "-"],
        ["Claimant", h.get("claimant") or "-", "Jurisdiction", h.get("jurisdiction") or "-"],
        [
            "Incident",
            h.get("incident_date") or "-",
            "Notice / suit",
            f"{h.get('notice_date') or '-'} / {h.get('suit_date') or '-'}",
        ],
    ]
    story.append(
        Table(
            [[p(c, small) for c in row] for row in rows],
            colWidths=[1.1 * inch, 2.3 * inch, 1.1 * inch, 2.3 * inch],
        )
    )
    for d in h.get("defendants", []):  # type: ignore[union-attr]
        story.append(
            p(
                f"Defendant: {d['name']} ({d['role']}{', ' + d['specialty'] if d.get('specialty') else ''})",
                small,
            )
        )
    for section in report.synopsis:
        story += heading(section.title)
        for st in section.statements:
            cites = "; ".join(label(c) for c in st.citations)
            story.append(p(f"{named(st.text)} [{cites}]", small))
    story += heading("Chronology of care")
    timeline = report.chronology.timeline()
    if timeline:
        story.append(
            table(
                ("Date/time", "Setting", "Type", "Event", "Source"),
                [
                    [
                        when(e) + (f" - after: {anchor(e)}" if e.relative_to else ""),
                        e.setting or "",
                        e.type,
                        e.text,
                        label(e.citation),
                    ]
                    for e in timeline
                ],
                [1.15, 0.55, 0.8, 3.2, 1.3],
            )
        )
    else:
        story.append(p("The records state no clinical event.", small))
    if report.chronology.procedural:
        story += heading("Procedural history")
        story.append(
            table(
                ("Date", "Statement", "Source"),
                [[when(e), e.text, label(e.citation)] for e in report.chronology.procedural],
                [1.0, 4.7, 1.3],
            )
        )
    story += heading("Issues")
    story += [
        p(
            f"{i.title} ({i.confidence:.2f}): {i.rationale}. Inflection point: {point(i.inflection_point)}",
            small,
        )
        for i in report.issues
    ] or [p("none found", small)]
    c = report.classification
    suggestions = [("allegation", a) for a in c.allegations]
    suggestions += [("severity", c.severity)] if c.severity else []
    suggestions += [("contributing factor", f) for f in c.contributing_factors]
    if suggestions:
        story += heading("Classification (suggested)")
        story.append(
            table(
                ("Kind", "Code", "Label", "Confidence", "Why"),
                [[k, s.code, s.label, f"{s.confidence:.2f}", s.rationale] for k, s in suggestions],
                [1.1, 1.0, 1.6, 0.7, 2.6],
            )
        )
    if report.codes:
        story += heading("Codes of the diagnoses and procedures involved")
        story.append(
            table(
                ("System", "Code", "Description", "Kind", "Source"),
                [
                    [
                        code.system,
                        code.code,
                        code.description,
                        code.kind.replace("_", " "),
                        "; ".join(label(x) for x in code.citations[:3]),
                    ]
                    for code in report.codes
                ],
                [0.85, 0.75, 2.9, 0.9, 1.6],
            )
        )
    if report.physicians:
        story += heading("Physician background")
        story += [
            p(
                f"{ph.party.name} ({ph.party.role}): "
                + (ph.profile.summary() if ph.profile is not None else ph.status),  # type: ignore[attr-defined]
                small,
            )
            for ph in report.physicians
        ]
    if report.data_quality:
        story += heading("Data quality")
        story += [
            p(f"{d.kind} - {named(d.source)}: {named(d.message)}", small)
            for d in report.data_quality
        ]
    if report.open_questions:
        story += heading("Open questions for the physician reviewer")
        story += [p(f"{i}. {named(q.text)}", small) for i, q in enumerate(report.open_questions, 1)]
    buffer = BytesIO()
    margin = 0.75 * inch  # a 7-inch frame: the widest table fits, nothing is drawn past it
    SimpleDocTemplate(
        buffer,
        pagesize=letter,
        title="Case summary report",
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
    ).build(story, canvasmaker=_numbered_canvas(margin))
    return buffer.getvalue()


def _numbered_canvas(margin: float):  # noqa: ANN202 - a reportlab Canvas class
    """A canvas that writes "Page N of M" and the disclaimer under every page once the
    number of pages is known (drawn last, inside the bottom margin)."""
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                width = self._pagesize[0]
                self.setFont("Helvetica", 7)
                self.setFillGray(0.35)
                self.drawString(margin, 0.8 * margin, "Suggestions for physician review; "
                                "not a finding of negligence or causation.")  # fmt: skip
                self.drawRightString(
                    width - margin, 0.8 * margin, f"Page {self._pageNumber} of {total}"
                )
                super().showPage()
            super().save()

    return NumberedCanvas


def write_report(report: CaseReport, path: str | Path) -> Path:
    """Write by extension: ``.html``, ``.pdf`` or ``.json``."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        path.write_text(render_html(report), encoding="utf-8")
    elif suffix == ".pdf":
        path.write_bytes(render_pdf(report))
    elif suffix == ".json":
        path.write_text(render_json(report), encoding="utf-8")
    else:
        from medcoder.errors import UsageError

        raise UsageError(f"unknown report format {suffix!r}: use .html, .pdf or .json")
    return path
