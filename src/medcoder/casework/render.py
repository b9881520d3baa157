"""Render a :class:`CaseReport` to HTML (Jinja2, autoescaped), PDF (reportlab) or JSON.

Record text is untrusted input: a note can contain ``<script>`` or ``&``, so the HTML
template is rendered with autoescape on, and every string that goes into a reportlab
``Paragraph`` (which parses a mini-markup) is escaped first.
"""

from __future__ import annotations

import json
from html import escape
from io import BytesIO
from pathlib import Path

from medcoder.casework.case import Citation
from medcoder.casework.synopsis import CaseReport, when

TEMPLATES = Path(__file__).parent / "templates"


def render_html(report: CaseReport) -> str:
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
        critical=set(report.critical_events),
        issues=report.issues,
        classification=report.classification,
        codes=report.codes,
        physicians=report.physicians,
        data_quality=report.data_quality,
        open_questions=report.open_questions,
        when=when,
    )


def render_text(report: CaseReport, names: dict[str, str] | None = None) -> str:
    """Plain text for the workbench's report workflow, where a reviewer edits the synopsis as
    text and every correction is kept as a diff; citations stay in brackets after each
    sentence so an edited synopsis still says where each fact comes from. ``names`` maps
    document ids to the names a reader knows them by (the workbench's ids are keys)."""
    names = names or {}

    def cited(c: Citation) -> str:
        page = f" p.{c.page}" if c.page else ""
        return f"{names.get(c.document, c.document)}{page} @{c.start}-{c.end}"

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
            lines.append(f"- {st.text} [{'; '.join(cited(c) for c in st.citations)}]")
    if report.data_quality:
        lines += ["", "DATA QUALITY"]
        lines += [
            f"- {d.kind.replace('_', ' ')} ({names.get(d.source, d.source)}): {d.message}"
            for d in report.data_quality
        ]
    if report.open_questions:
        lines += ["", "OPEN QUESTIONS FOR THE PHYSICIAN REVIEWER"]
        lines += [f"{i}. {q.text}" for i, q in enumerate(report.open_questions, 1)]
    return "\n".join(lines) + "\n"


def render_json(report: CaseReport) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False, default=str)


def render_pdf(report: CaseReport) -> bytes:
    """A paginated PDF: header, synopsis with citations, chronology table, questions."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import inch
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)

    def p(text: object, style=None) -> Paragraph:  # noqa: ANN001
        return Paragraph(escape(str(text)), style or styles["BodyText"])

    story: list[object] = [p("Case summary report", styles["Title"])]
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
        story += [Spacer(1, 6), p(section.title, styles["Heading2"])]
        for st in section.statements:
            cites = "; ".join(c.label() for c in st.citations)
            story.append(p(f"{st.text} [{cites}]", small))
    story += [Spacer(1, 6), p("Chronology of care", styles["Heading2"])]
    table = [[p(x, small) for x in ("Date/time", "Setting", "Type", "Event", "Source")]]
    for e in report.chronology.events:
        table.append(
            [p(x, small) for x in (when(e), e.setting or "", e.type, e.text, e.citation.label())]
        )
    chron = Table(
        table,
        colWidths=[0.95 * inch, 0.55 * inch, 0.8 * inch, 3.4 * inch, 1.3 * inch],
        repeatRows=1,
    )
    chron.setStyle(
        TableStyle(
            [("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]
        )
    )
    story.append(chron)
    story += [Spacer(1, 6), p("Data quality", styles["Heading2"])]
    story += [p(f"{d.kind} - {d.source}: {d.message}", small) for d in report.data_quality] or [
        p("none", small)
    ]
    story += [Spacer(1, 6), p("Open questions for the physician reviewer", styles["Heading2"])]
    story += [p(f"{i}. {q.text}", small) for i, q in enumerate(report.open_questions, 1)]
    buffer = BytesIO()
    SimpleDocTemplate(buffer, pagesize=letter, title="Case summary report").build(story)
    return buffer.getvalue()


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
