"""What coding returns: suggested codes, each explained, and the ones it rejected.

The result types every coder in medcoder shares — the diagnosis pipeline, the ICD-10-PCS engine
(``procedures``) and the CPT/HCPCS services (``services``) — kept below all of them so none
imports the pipeline that orchestrates it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Evidence:
    """The words in a document that support a code."""

    document: str
    start: int
    end: int
    text: str
    section: str | None = None
    assertion: str = "present"
    page: int | None = None
    sentence: tuple[int, int] | None = None  # the sentence holding it (not serialised)

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "document": self.document,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "section": self.section,
            "assertion": self.assertion,
        }
        if self.page is not None:
            out["page"] = self.page
        return out


@dataclass
class CodeSuggestion:
    """One code the engine would report, with why.

    ``path`` is how the code was reached (an index path, a title or inclusion term, a learned
    phrase, a combination rule); ``guidelines`` the sections of the Official Guidelines that
    shaped it; ``score`` a confidence in [0, 1].
    """

    system: str
    code: str  # display form (E11.22)
    description: str
    score: float
    evidence: list[Evidence] = field(default_factory=list)
    path: list[str] = field(default_factory=list)
    guidelines: list[str] = field(default_factory=list)
    poa: str | None = None  # Y, N, U, W, 1 (inpatient only)
    principal: bool = False
    model_contribution: str | None = None
    # Structured account for `medcoder explain` (issue 5): the PCS axis table or the E/M MDM
    # grid, built by procedures/ and services/; plain JSON-ready data, shown only when explaining.
    explanation: dict[str, object] | None = None

    def to_dict(self, *, explain: bool = False) -> dict[str, object]:
        out: dict[str, object] = {
            "system": self.system,
            "code": self.code,
            "description": self.description,
            "score": round(self.score, 4),
            "evidence": [e.to_dict() for e in self.evidence],
        }
        if self.poa is not None:
            out["poa"] = self.poa
        if self.principal:
            out["principal"] = True
        if explain:
            out["path"] = self.path
            out["guidelines"] = self.guidelines
            if self.model_contribution:
                out["model"] = self.model_contribution
            if self.explanation is not None:
                out["explanation"] = self.explanation
        return out


@dataclass
class Rejected:
    """A candidate the engine considered and did not report, with the reason."""

    code: str
    description: str
    reason: str
    guideline: str | None = None
    evidence: list[Evidence] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "description": self.description,
            "reason": self.reason,
            "guideline": self.guideline,
            "evidence": [e.to_dict() for e in self.evidence],
        }


@dataclass
class CodingResult:
    """The codes of one document or encounter, best first.

    ``code_sets`` names the version of each code set the codes were taken from (``{"ICD-10-CM":
    "FY2026", "ICD-10-PCS": "FY2023", ...}``), so a result read later says which year it
    followed; a version other than the one in force on the date of service is also a warning.
    """

    document: str
    setting: str
    codes: list[CodeSuggestion] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    language: str | None = None
    code_sets: dict[str, str] = field(default_factory=dict)
    # Seconds each pipeline component took for this result (``--explain-pipeline``).
    pipeline: dict[str, float] = field(default_factory=dict, repr=False, compare=False)

    def to_dict(self, *, explain: bool = False) -> dict[str, object]:
        out: dict[str, object] = {
            "document": self.document,
            "setting": self.setting,
            "codes": [c.to_dict(explain=explain) for c in self.codes],
        }
        if self.code_sets:
            out["code_sets"] = dict(self.code_sets)
        if self.warnings:
            out["warnings"] = self.warnings
        if explain:
            out["rejected"] = [r.to_dict() for r in self.rejected]
        return out
