"""A compliance linter for physician queries (AHIMA/ACDIS 2022 "Guidelines for Achieving a
Compliant Query Practice").

It flags what the guideline forbids, in drafted and hand-written queries alike:

* ``financial-language``: payment, reimbursement, DRG, CC/MCC, HCC, PSI/HAC, SOI/ROM or
  quality-score words (a query may never mention financial or quality impact);
* ``leading-phrase``: 'please document', 'please add', 'would you agree', 'it appears the
  patient has', 'consider documenting', 'meets criteria for' (a query may not steer);
* ``yes-no-new-diagnosis``: a yes/no question that would establish a diagnosis not in the
  record (yes/no is allowed only to substantiate a documented diagnosis, for cause and
  effect, to resolve conflicting documentation, and for POA);
* ``options-missing-other`` / ``options-missing-undetermined``: multiple choice and yes/no
  must offer 'Other' and 'Clinically undetermined';
* ``no-clinical-indicators``: every query must cite clinical indicators.

Verbatim record quotes on indicator lines (``- ... "quoted"``) are not the query author's
words, so the wording rules skip them; everything else is checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medcoder.documents.model import Span

QUERY_TYPES = ("open_ended", "multiple_choice", "yes_no")


@dataclass(frozen=True)
class LintFinding:
    rule_id: str
    severity: str  # error | warning
    span: Span
    message: str

    def to_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule_id,
            "severity": self.severity,
            "start": self.span.start,
            "end": self.span.end,
            "message": self.message,
        }


# "CC" is a complication/comorbidity only where it is not a volume ("2400 CC", "5 cc") and not
# a header ("CC: Dr. Patel" is a carbon copy, "CC: chest pain" a chief complaint).
_FINANCIAL = re.compile(
    r"\b(?:(?:MS-|APR-)?DRGs?|MCCs?|HCCs?|PSIs?|HACs?|SOI|ROM|RAF|CMI)\b"
    r"|(?<![\d.])(?<!\d\s)(?<!\d\s\s)\bCCs?\b(?!\s*:)"
    r"|(?i:\b(?:payments?|pay(?:s|ing|er|ors?)?|paid|reimburs\w*|revenue|financial\w*|billing|"
    r"billable|dollars?|case[\s-]mix(?:\s+index)?|severity\s+of\s+illness|risk\s+of\s+mortality|"
    r"risk[\s-]adjust\w*|complications?\s+(?:or|and)\s+comorbidit\w*|"
    r"case[\s-]weights?|relative\s+weights?|(?:hospital\s+|national\s+|public\s+)?rankings?|"
    r"ranked|expected\s+mortality|length[\s-]of[\s-]stay\s+(?:index|impact|target)|"
    r"quality\s+(?:scores?|metrics?|measures?|ratings?|reporting|indicators?)|star\s+ratings?|"
    r"scorecards?|hospital[\s-]acquired\s+conditions?|patient\s+safety\s+indicators?)\b)"
)
# "Please document your response in the medical record" asks for an answer, not a diagnosis.
_NEUTRAL_DOCUMENT = (
    r"(?!\s+(?:your|the|any)\s+(?:response|answer|clinical\s+(?:judg(?:e)?ment|opinion"
    r"|assessment)|findings?|conclusion)\b)(?!\s+in\s+the\s+(?:medical\s+)?record\b)"
)
_LEADING = re.compile(
    r"(?i:\bplease\s+document\b" + _NEUTRAL_DOCUMENT + r"|\bplease\s+add\b"
    r"|\b(?:would|do|can|could)\s+you\s+agree\b"
    r"|\bit\s+appears\s+(?:that\s+)?(?:the\s+)?(?:patient|pt)\s+(?:has|had|is|was)\b"
    r"|\bconsider\s+documenting\b|\b(?:can|could|would)\s+you\s+(?:please\s+)?document\b"
    r"|\b(?:can|could|would|will)\s+you\s+(?:please\s+)?confirm\b"
    r"|\bmeets?\s+(?:the\s+|all\s+)?(?:[\w-]+\s+){0,2}criteria\b"
    r"|\b(?:supports?|indicative\s+of|consistent\s+with)\s+(?:a\s+)?diagnosis\s+of\b"
    r"|\bplease\s+confirm\s+(?:the\s+)?(?:diagnosis|dx)\s+of\b)"
)
_OPTION = re.compile(r"^[ \t]*(?:\[[ xX]?\]|\([ xX]?\)|\u2610|\u25a1)[ \t]*(?P<text>\S.*)$", re.M)
_QUOTED_ON_BULLET = re.compile(r"^([ \t]*[-*\u2022].*)$", re.M)
_QUOTE = re.compile(r'"[^"\n]*"')
_INDICATOR_HEADER = re.compile(r"(?im)^[ \t]*clinical\s+indicators?\b[^\n]*$")
_BULLET = re.compile(r"^[ \t]*(?:[-*\u2022]|\d+[.)])[ \t]+\S", re.M)
_MEASUREMENT = re.compile(
    r"\d+(?:\.\d+)?\s*(?:mmol/L|mEq/L|mg/dL|g/dL|g/L|%|/min|bpm|mmHg|pg/mL|ng/mL|"
    r"mL/min(?:/1\.73\s?m2)?|kg/m2|10\^9/L|K/uL|C|F)\b",
    re.I,
)
_YES_NO_PURPOSE = re.compile(
    r"(?i:present\s+(?:at\s+the\s+time\s+of|on)\s+(?:the\s+)?(?:inpatient\s+)?admission|\bPOA\b"
    r"|\bdue\s+to\b|\brelated\s+to\b|\bcaused\s+by\b|\bsecondary\s+to\b|\bresult\s+of\b"
    r"|\bconflict\w*|\bdocumented\s+(?:by|as|in|on)\b|\banother\s+provider\b"
    r"|\bprior\s+encounter\b)"
)
# A yes/no question written as free text: "Does the patient have sepsis? Yes or no."
_FREE_TEXT_YES_NO = re.compile(r"(?i:\byes\s*(?:or|/)\s*no\b|\(\s*y\s*/\s*n\s*\))")
_ASKED_DIAGNOSIS = re.compile(
    r"(?i:\b(?:does|did)\s+the\s+patient\s+have\s+(?:an?\s+|the\s+)?(?:diagnosis\s+of\s+)?"
    r"(?P<dx>[^?\n]+)\?)"
)


def _masked(text: str) -> str:
    """``text`` with record quotes on indicator lines blanked (same length, offsets kept)."""

    def blank(line: re.Match[str]) -> str:
        return _QUOTE.sub(lambda q: '"' + " " * (len(q.group()) - 2) + '"', line.group())

    return _QUOTED_ON_BULLET.sub(blank, text)


def lint_wording(text: str) -> list[str]:
    """Messages for financial or leading words in a fragment (rule-file questions, subjects)."""
    found = [f"financial or quality word {m.group()!r}" for m in _FINANCIAL.finditer(text)]
    found += [f"leading phrase {m.group()!r}" for m in _LEADING.finditer(text)]
    return found


def _options(text: str) -> list[tuple[str, Span]]:
    return [(m.group("text").strip(), Span(*m.span())) for m in _OPTION.finditer(text)]


def _detect_type(options: list[tuple[str, Span]], text: str = "") -> str:
    if not options:
        return "yes_no" if _FREE_TEXT_YES_NO.search(text) else "open_ended"
    core = [o.lower() for o, _ in options if not _is_other(o) and not _is_undetermined(o)]
    if core and all(o.startswith(("yes", "no")) for o in core):
        return "yes_no"
    return "multiple_choice"


def _is_other(option: str) -> bool:
    return option.lower().startswith("other")


def _is_undetermined(option: str) -> bool:
    low = option.lower()
    return "clinically undetermined" in low or "unable to determine" in low


def _cites_indicators(text: str) -> bool:
    header = _INDICATOR_HEADER.search(text)
    if header:
        block = text[header.end() :].split("\n\n", 1)[0]
        if _BULLET.search(block):
            return True
    return bool(_MEASUREMENT.search(text))


def lint_query(
    text: str, *, query_type: str | None = None, record: str | None = None
) -> list[LintFinding]:
    """Compliance findings for a query ``text``, in order of position.

    ``query_type`` (open_ended / multiple_choice / yes_no) is detected from the options when not
    given. ``record``, when given, is the documentation: a yes/no question about a diagnosis
    found there substantiates it rather than introducing it.
    """
    if query_type is not None and query_type not in QUERY_TYPES:
        raise ValueError(f"query_type must be one of {', '.join(QUERY_TYPES)}; got {query_type!r}")
    findings: list[LintFinding] = []
    masked = _masked(text)
    for m in _FINANCIAL.finditer(masked):
        findings.append(
            LintFinding(
                "financial-language", "error", Span(*m.span()),
                f"{m.group()!r}: a query must not mention payment, DRG, CC/MCC or quality impact",
            )
        )  # fmt: skip
    for m in _LEADING.finditer(masked):
        findings.append(
            LintFinding(
                "leading-phrase", "error", Span(*m.span()),
                f"{m.group()!r} leads the provider; ask an open-ended or multiple choice question",
            )
        )  # fmt: skip
    options = _options(masked)
    kind = query_type or _detect_type(options, masked)
    if kind == "yes_no":
        findings.extend(_yes_no_findings(masked, record))
    if kind in ("multiple_choice", "yes_no"):
        where = Span(options[0][1].start, options[-1][1].end) if options else Span(0, len(text))
        if not any(_is_other(o) for o, _ in options):
            findings.append(
                LintFinding(
                    "options-missing-other", "error", where,
                    "choices must include 'Other (please specify)'",
                )
            )  # fmt: skip
        if not any(_is_undetermined(o) for o, _ in options):
            findings.append(
                LintFinding(
                    "options-missing-undetermined", "error", where,
                    "choices must include 'Clinically undetermined'",
                )
            )  # fmt: skip
    if not _cites_indicators(masked):
        findings.append(
            LintFinding(
                "no-clinical-indicators", "error", Span(0, len(text)),
                "a query must cite the clinical indicators (values, dates, sources) behind it",
            )
        )  # fmt: skip
    return sorted(findings, key=lambda f: (f.span.start, f.rule_id))


def _yes_no_findings(text: str, record: str | None) -> list[LintFinding]:
    """Yes/no may not establish a new diagnosis supported by clinical indicators alone."""
    if _YES_NO_PURPOSE.search(text):
        return []
    asked = _ASKED_DIAGNOSIS.search(text)
    if asked and record and _in_record(asked.group("dx"), record):
        return []  # substantiating a diagnosis already documented
    span = Span(*asked.span()) if asked else Span(0, len(text))
    return [
        LintFinding(
            "yes-no-new-diagnosis", "error", span,
            "yes/no is allowed only for a documented diagnosis, cause and effect, conflicting "
            "documentation or POA; use open-ended or multiple choice for a new diagnosis",
        )
    ]  # fmt: skip


def _in_record(diagnosis: str, record: str) -> bool:
    words = " ".join(re.findall(r"\w+", diagnosis.lower()))
    return bool(words) and words in " ".join(re.findall(r"\w+", record.lower()))
