"""One call from a folder of records to a case report: read, chronology, issues, codes, report.

Kept separate from the stages so each stays testable alone, and so the CLI and a future
review workbench share one pipeline. ``progress(stage, done, total)`` is called as work
advances; it must not log document content (no PHI in logs).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from medcoder.casework.case import Case, load_case
from medcoder.casework.chronology import build_chronology
from medcoder.casework.classify import classify
from medcoder.casework.coding import RecordAnnotations, code_case
from medcoder.casework.issues import find_issues
from medcoder.casework.synopsis import CaseReport, PhysicianSection, build_report

Progress = Callable[[str, int, int], None]


def analyze_case(
    inputs: Iterable[str | Path] | Case,
    *,
    code: bool = True,
    negation: bool = True,
    physicians: list[PhysicianSection] | None = None,
    progress: Progress | None = None,
) -> CaseReport:
    """Analyse a case folder, a list of record files, or an already loaded :class:`Case`."""
    case = inputs if isinstance(inputs, Case) else load_case(inputs)
    total = len(case.documents)
    done = 0

    def step(_document: object) -> None:
        nonlocal done
        done += 1
        if progress:
            progress("chronology", done, total)

    # Each record is annotated once: the chronology reads its assertions (negated abnormal
    # findings), the coding engine its mentions, from the same annotated document.
    annotated = RecordAnnotations(code)
    chron = build_chronology(
        case, assertions=annotated.context if negation else None, progress=step
    )
    issues = find_issues(chron)
    if progress:
        progress("coding", 0, 1)
    codes = code_case(case, chron, engine=code, annotated=annotated)
    if progress:
        progress("coding", 1, 1)
    report = build_report(case, chron, issues, classify(issues, chron), codes, physicians)
    if progress:
        progress("report", 1, 1)
    return report
