"""Claim scrubbing: the edits a payer or clearinghouse would apply, run before submission.

::

    from medcoder.edits import scrub
    report = scrub(encounter, policy="policy.yaml", ncci="ptp.txt", mue="mue.txt")
    if not report.ready_to_submit:
        for finding in report.findings:
            print(finding.rule_id, finding.severity, finding.reason, "->", finding.fix)

Rules and their ids: :func:`rule_catalogue` (NCCI PTP and MUE, ICD-10-CM structural edits,
the MCE, claim fields, lines, payer policies).
"""

from __future__ import annotations

from medcoder.edits.findings import EditRule, Finding, Severity
from medcoder.edits.mce import MceConfig
from medcoder.edits.ncci import MueEdit, MueTable, PtpEdit, PtpTable, load_mue, load_ptp
from medcoder.edits.policy import Policy, check_policy_file, load_policy, parse_policy
from medcoder.edits.scrubber import RULES, Scrubber, ScrubReport, rule_catalogue, scrub

__all__ = [
    "RULES",
    "Finding",
    "MceConfig",
    "MueEdit",
    "MueTable",
    "Policy",
    "PtpEdit",
    "PtpTable",
    "EditRule",
    "ScrubReport",
    "Scrubber",
    "Severity",
    "check_policy_file",
    "load_mue",
    "load_policy",
    "load_ptp",
    "parse_policy",
    "rule_catalogue",
    "scrub",
]
