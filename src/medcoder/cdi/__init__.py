"""Clinical documentation integrity: rule-driven query opportunities, compliant drafts, lint.

Rules are data (``cdi/rules/*.yaml``, one per opportunity, versioned ids); indicators are
collected from documents with their sources; opportunities are rules met by indicators for a
diagnosis not yet coded or documented; queries are drafted and linted per the AHIMA/ACDIS
"Guidelines for Achieving a Compliant Query Practice" (2022 update).
"""

from medcoder.cdi.drafting import OTHER, UNDETERMINED, CitedIndicator, DraftQuery, draft_query
from medcoder.cdi.indicators import ExcludedValue, Indicator, IndicatorSet, collect_indicators
from medcoder.cdi.lint import LintFinding, lint_query
from medcoder.cdi.opportunities import Opportunity, find, find_opportunities
from medcoder.cdi.rules import QueryRule, RuleSet, default_rules, load_rule_file, load_rules

__all__ = [
    "OTHER",
    "UNDETERMINED",
    "CitedIndicator",
    "DraftQuery",
    "ExcludedValue",
    "Indicator",
    "IndicatorSet",
    "LintFinding",
    "Opportunity",
    "QueryRule",
    "RuleSet",
    "collect_indicators",
    "default_rules",
    "draft_query",
    "find",
    "find_opportunities",
    "lint_query",
    "load_rule_file",
    "load_rules",
]
