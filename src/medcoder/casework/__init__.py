"""Malpractice case work: chronology of care, issues, NPDB suggestions, synopsis, report.

from medcoder.casework import analyze_case, write_report
report = analyze_case(["case_folder/"])
write_report(report, "report.html")
"""

from medcoder.casework.analyze import analyze_case
from medcoder.casework.case import Case, Citation, Party, load_case
from medcoder.casework.chronology import Chronology, DataQualityItem, Event, Flag, build_chronology
from medcoder.casework.classify import Classification, Suggestion, classify
from medcoder.casework.coding import CaseCode, code_case
from medcoder.casework.issues import Issue, find_issues
from medcoder.casework.render import render_html, render_json, render_pdf, render_text, write_report
from medcoder.casework.synopsis import CaseReport, SynopsisStatement, build_report
from medcoder.documents.dates import DateContext, DateMention, resolve

__all__ = [
    "Case", "CaseCode", "CaseReport", "Chronology", "Citation", "Classification",
    "DataQualityItem", "DateContext", "DateMention", "Event", "Flag", "Issue", "Party",
    "Suggestion", "SynopsisStatement", "analyze_case", "build_chronology", "build_report",
    "classify", "code_case", "find_issues", "load_case", "render_html", "render_json",
    "render_pdf", "render_text", "resolve", "write_report",
]  # fmt: skip
