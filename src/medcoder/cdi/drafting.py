"""Query drafting that follows the AHIMA/ACDIS "Guidelines for Achieving a Compliant Query
Practice" (2022 update).

What the guideline asks, and where it is done here:

* clinical indicators in every query, cited with value, unit, date and source so the provider
  can verify them (:func:`cite`);
* open-ended is the most defensible format; multiple choice offers only clinically reasonable,
  indicator-supported options (``Option.when`` narrows them by the values found) and always
  "Other (please specify)" and "Clinically undetermined" (:data:`OTHER`, :data:`UNDETERMINED`);
* yes/no only where the rule's reason allows it (checked when the rule file is loaded);
* never leading, never a word about payment, DRG, CC/MCC or quality scores: the default
  questions are neutral, rule-file wording is linted on load, and every drafted query is
  checked by :func:`medcoder.cdi.lint.lint_query` in the tests.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from medcoder.cdi.indicators import Indicator, IndicatorSet
from medcoder.cdi.rules import Option, QueryRule

OTHER = "Other (please specify): ____"
UNDETERMINED = "Clinically undetermined"
CLOSING = (
    'Any option, including "Other" or "Clinically undetermined", is an acceptable response. '
    "Please respond in the medical record according to your independent clinical judgment."
)
DEFAULT_QUESTIONS = {
    "open_ended": (
        "Based on the clinical indicators above, please clarify in the medical record the "
        "diagnosis, if any, that these findings represent."
    ),
    "multiple_choice": (
        "Based on the clinical indicators above, please clarify which of the following, if any, "
        "these findings represent:"
    ),
}
FORMAT_NAMES = {
    "open_ended": "open-ended",
    "multiple_choice": "multiple choice",
    "yes_no": "yes/no",
}
_DISPLAY = {
    "wbc": "WBC", "bun": "BUN", "bnp": "BNP", "nt_probnp": "NT-proBNP", "egfr": "eGFR",
    "bmi": "BMI", "inr": "INR", "crp": "CRP", "hba1c": "HbA1c", "spo2": "SpO2", "pco2": "PaCO2",
    "po2": "PaO2", "ph": "pH", "ast": "AST", "alt": "ALT", "sbp": "Systolic BP",
    "dbp": "Diastolic BP", "resp_rate": "Respiratory rate",
}  # fmt: skip


@dataclass(frozen=True)
class CitedIndicator:
    """A clinical indicator as the query shows it, with what is needed to find it again."""

    line: str
    kind: str
    document: str
    start: int | None = None
    end: int | None = None
    value: float | None = None
    unit: str | None = None
    observed_at: datetime | date | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "text": self.line,
            "kind": self.kind,
            "document": self.document,
            "start": self.start,
            "end": self.end,
            "value": self.value,
            "unit": self.unit,
            "observed_at": self.observed_at.isoformat() if self.observed_at else None,
        }


@dataclass
class DraftQuery:
    """A drafted query (not yet sent: author, recipient and response belong to its lifecycle)."""

    rule_id: str
    format: str  # open_ended | multiple_choice | yes_no
    reason: str
    subject: str
    question: str
    options: list[str] = field(default_factory=list)
    clinical_indicators: list[CitedIndicator] = field(default_factory=list)
    text: str = ""
    encounter_id: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule_id,
            "format": self.format,
            "reason": self.reason,
            "subject": self.subject,
            "question": self.question,
            "options": list(self.options),
            "clinical_indicators": [c.to_dict() for c in self.clinical_indicators],
            "text": self.text,
            "encounter_id": self.encounter_id,
        }


def display_name(analyte: str) -> str:
    return _DISPLAY.get(analyte, analyte.replace("_", " ").capitalize())


def _when(moment: datetime | date | None) -> str:
    if isinstance(moment, datetime):
        return moment.strftime("%Y-%m-%d %H:%M")
    return moment.isoformat() if moment else ""


def _quote(text: str, limit: int = 200) -> str:
    """One line, double quotes made single, cut on a word boundary when too long."""
    text = " ".join(text.replace('"', "'").split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit - 3)
    return text[: cut if cut > 0 else limit - 3].rstrip(" ,;") + "..."


_LABELS = {
    "treatment": "Treatment documented",
    "code": "Documented diagnosis",
    "documented": "Documented",
}


def _where(indicator: Indicator) -> str:
    """Where a cited phrase was found (' in the past medical history'), when it is known."""
    if not indicator.section or indicator.section in ("body", "other"):
        return ""
    return " in the " + indicator.section.replace("_", " ")


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def cite(indicator: Indicator) -> CitedIndicator:
    """The line a query shows for one indicator: value, unit, date and source quoted."""
    source = f'document {indicator.document}: "{_quote(indicator.text)}"'
    if indicator.kind in ("lab", "vital") and indicator.value is not None:
        line = f"{display_name(indicator.name)} {indicator.value:g} {indicator.unit or ''}".rstrip()
        if indicator.observed_at:
            line += f" on {_when(indicator.observed_at)}"
        line += f" ({source})"
    elif indicator.kind == "timing":
        line = f"Timing: {indicator.context or indicator.text} (document {indicator.document})"
    else:
        label = _LABELS.get(indicator.kind, "Documentation")
        if indicator.nursing:
            label = "Nursing documentation"
        quoted = _quote(indicator.context or indicator.text)
        line = f'{label}{_where(indicator)}: "{quoted}" (document {indicator.document})'
    return CitedIndicator(
        line=line,
        kind=indicator.kind,
        document=indicator.document,
        start=indicator.start,
        end=indicator.end,
        value=indicator.value,
        unit=indicator.unit,
        observed_at=indicator.observed_at,
    )


def _one_line_per_quote(indicators: Iterable[Indicator]) -> list[CitedIndicator]:
    """One line per quoted sentence: a sentence naming the condition and its treatment
    ("ventilator-dependent respiratory failure") is cited once, as the first criterion saw it."""
    seen: dict[tuple[str, str], CitedIndicator] = {}
    for indicator in indicators:
        quoted = indicator.context if indicator.kind not in ("lab", "vital") else None
        key = (
            (indicator.document, _quote(quoted))
            if quoted
            else (indicator.document, cite(indicator).line)
        )
        if key not in seen:
            seen[key] = cite(indicator)
    return list(seen.values())


def _offered(option: Option, found: IndicatorSet | None) -> bool:
    """Clinically reasonable: its range holds for a value found, or nothing narrows it."""
    if option.when is None or found is None:
        return True
    values = [v.value for v in found.values(option.when.analyte) if v.value is not None]
    return not values or any(option.when.holds(v) for v in values)


def choose_options(rule: QueryRule, found: IndicatorSet | None) -> list[str]:
    """The rule's options supported by the indicators, then Other and Clinically undetermined."""
    options = [o.text for o in rule.query.options if _offered(o, found)]
    options = [o for o in options if not o.lower().startswith(("other", "clinically undetermined"))]
    if rule.query.format == "multiple_choice" and not options:
        options = [o.text for o in rule.query.options]  # never only Other/Undetermined
    return [*options, OTHER, UNDETERMINED]


def draft_query(
    rule: QueryRule,
    indicators: Iterable[Indicator],
    *,
    found: IndicatorSet | None = None,
    documented: str | None = None,
    encounter_id: str | None = None,
    missing: list[str] | None = None,
) -> DraftQuery:
    """Draft the rule's query citing ``indicators``; ``documented`` fills ``{documented}`` and
    ``missing`` (what a specificity query asks for: "type", "acuity") fills ``{missing}``."""
    cited = _one_line_per_quote(indicators)
    spec = rule.query
    question = spec.question or DEFAULT_QUESTIONS[spec.format]
    if "{documented}" in question:
        question = question.replace(
            "{documented}", _quote(documented or "the documented condition")
        )
    if "{missing}" in question:
        asked = [m.replace("_", " ") for m in missing or []]
        question = question.replace("{missing}", _and(asked) if asked else "specificity")
    options = [] if spec.format == "open_ended" else choose_options(rule, found)
    lines = [
        f"Clinical documentation query: {spec.subject}",
        f"Query type: {FORMAT_NAMES[spec.format]}",
        "",
        "Clinical indicators:",
        *(f"- {c.line}" for c in cited),
        "",
        question,
        *(f"[ ] {o}" for o in options),
        "",
        CLOSING if options else "Please respond in the medical record.",
    ]
    return DraftQuery(
        rule_id=rule.id,
        format=spec.format,
        reason=spec.reason,
        subject=spec.subject,
        question=question,
        options=options,
        clinical_indicators=cited,
        text="\n".join(lines) + "\n",
        encounter_id=encounter_id,
    )
