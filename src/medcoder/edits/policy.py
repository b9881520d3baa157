"""Company and payer rules kept as a versioned YAML file (``medcoder policy check FILE``).

A policy changes what the scrubber does without code changes: house rules (which severity
blocks submission, severity overrides and disabled rules by id, MCE settings) and payer
rules (per payer id or X12 filing indicator: extra checks, overrides, disabled rules).
``version`` is the schema version (1); ``revision`` is the policy's own, reported with every
scrub so a finding can be traced to the rules in force. ``example_policy.yaml`` beside this
module documents every field.

A malformed file is refused with its line and field (:class:`SourceFileError`), unknown
fields and unknown rule ids included, because a typo in a policy silently turns a rule off.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from medcoder.edits.findings import EditRule, Severity
from medcoder.edits.mce import MceConfig
from medcoder.edits.policy_rules import as_rule, code_matches
from medcoder.errors import SourceFileError

if TYPE_CHECKING:
    from medcoder.claims.model import ClaimEncounter

SCHEMA_VERSION = 1
_RULE_ID = r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$"
_PATTERN = re.compile(r"^([0-9A-Z]{5})(-([0-9A-Z]{5}))?$|^[0-9A-Z]{1,4}\*$")
RuleId = Annotated[str, Field(pattern=_RULE_ID)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _PolicyRule(_Strict):
    id: RuleId
    severity: Severity = Severity.DENY
    description: str | None = None
    procedures: list[str] = Field(default_factory=list, description="codes, ranges or prefixes")

    @field_validator("procedures")
    @classmethod
    def _patterns(cls, value: list[str]) -> list[str]:
        out = [p.strip().upper() for p in value]
        for p in out:
            if not _PATTERN.match(p):
                raise ValueError(
                    f"{p!r} is not a code, a range like 97110-97546, or a prefix like 97*"
                )
        return out


class AbnModifierRule(_PolicyRule):
    """With an ABN on file, every (matching) line must carry ``modifier`` (GA)."""

    kind: Literal["abn_requires_modifier"]
    modifier: str = Field("GA", pattern=r"^[0-9A-Z]{2}$")


class NoUnspecifiedDxRule(_PolicyRule):
    """The payer refuses diagnoses titled 'unspecified' in support of the matching procedures."""

    kind: Literal["no_unspecified_dx"]


class PriorAuthRule(_PolicyRule):
    """The matching procedures need a prior authorization number on the claim."""

    kind: Literal["prior_auth_required"]


PayerRule = Annotated[
    AbnModifierRule | NoUnspecifiedDxRule | PriorAuthRule, Field(discriminator="kind")
]
_KINDS = {"abn_requires_modifier", "no_unspecified_dx", "prior_auth_required"}


class MceSettings(_Strict):
    maternity_ages: tuple[int, int] | None = Field(
        None, description="override the MCE's maternity ages (9-64 now, 12-55 in older MCEs)"
    )
    sex_edits: bool = True
    sex_edits_as_of: dt.date | None = Field(
        None,
        description="apply the MCE sex-conflict lists in force on this date (the FY2025 MCE "
        "deactivated them; 2024-09-30 is the last date they applied)",
    )


class _Overrides(_Strict):
    disable: list[RuleId] = Field(default_factory=list)
    severity: dict[RuleId, Severity] = Field(default_factory=dict)


class HousePolicy(_Overrides):
    block_at: Severity = Field(
        Severity.REJECT,
        description="findings at this severity or worse block submission; reject always does",
    )
    mce: MceSettings = MceSettings()


class PayerPolicy(_Overrides):
    name: str
    payer_ids: list[str] = Field(default_factory=list)
    filing_indicators: list[str] = Field(default_factory=list)
    rules: list[PayerRule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _matches_something(self) -> PayerPolicy:
        if not self.payer_ids and not self.filing_indicators:
            raise ValueError("give payer_ids or filing_indicators to say which claims it covers")
        return self

    def applies_to(self, encounter: ClaimEncounter) -> bool:
        return encounter.payer.id in self.payer_ids or (
            encounter.payer.filing_indicator in self.filing_indicators
        )


@dataclass(frozen=True)
class Resolved:
    """The policy as it applies to one encounter."""

    disabled: dict[str, str]  # rule id -> who disabled it
    severity: dict[str, Severity]
    rules: list[EditRule]
    block_at: Severity
    mce: MceConfig


class Policy(_Strict):
    version: Literal[1]
    name: str
    revision: str
    description: str | None = None
    house: HousePolicy = HousePolicy()
    payers: list[PayerPolicy] = Field(default_factory=list)

    @field_validator("revision", mode="before")
    @classmethod
    def _revision_text(cls, value: Any) -> Any:
        return value.isoformat() if isinstance(value, dt.date) else value

    def resolve(self, encounter: ClaimEncounter) -> Resolved:
        disabled = {r: "house policy" for r in self.house.disable}
        severity = dict(self.house.severity)
        rules: list[EditRule] = []
        for payer in self.payers:
            if not payer.applies_to(encounter):
                continue
            disabled.update({r: f"payer policy {payer.name}" for r in payer.disable})
            severity.update(payer.severity)
            rules.extend(as_rule(payer, r) for r in payer.rules)
        if not self.house.mce.sex_edits:
            for rule_id in ("MCE-SEX-001", "MCE-SEX-002", "MCE-SEX-003", "MCE-SEX-004"):
                disabled.setdefault(rule_id, "house policy (mce.sex_edits: false)")
        settings = self.house.mce
        mce = MceConfig(settings.maternity_ages, settings.sex_edits, settings.sex_edits_as_of)
        return Resolved(
            disabled=disabled,
            severity=severity,
            rules=rules,
            block_at=self.house.block_at,
            mce=mce,
        )


# --- loading ------------------------------------------------------------------------------


def _line_of(root: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """Line (1-based) of the deepest YAML node that ``loc`` reaches."""
    if root is None:
        return None
    node = root
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if k.value == str(part)), None)
            if found is not None:
                node = found
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            node = node.value[part]
    return node.start_mark.line + 1


def _field(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part not in _KINDS and part != "[key]":
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _duplicates(node: yaml.Node, out: list[tuple[int, str]]) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if key.value in seen:
                out.append((key.start_mark.line + 1, f"{key.value}: duplicate key"))
            seen.add(key.value)
            _duplicates(value, out)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _duplicates(item, out)


def _semantic(policy: Policy) -> list[tuple[tuple[Any, ...], str]]:
    """Rule ids that name nothing, and payer rule ids defined twice."""
    from medcoder.edits.scrubber import RULE_IDS

    defined: dict[str, tuple[Any, ...]] = {}
    out: list[tuple[tuple[Any, ...], str]] = []
    for i, payer in enumerate(policy.payers):
        for j, rule in enumerate(payer.rules):
            loc = ("payers", i, "rules", j, "id")
            if rule.id in RULE_IDS or rule.id in defined:
                out.append((loc, f"rule id {rule.id} is already used"))
            defined[rule.id] = loc
    known = set(RULE_IDS) | set(defined)
    sections = [(("house",), policy.house)] + [
        (("payers", i), p) for i, p in enumerate(policy.payers)
    ]
    for base, section in sections:
        for j, rid in enumerate(section.disable):
            if rid not in known:
                out.append(((*base, "disable", j), f"unknown rule id {rid}"))
        for rid in section.severity:
            if rid not in known:
                out.append(((*base, "severity", rid), f"unknown rule id {rid}"))
    return out


def _problems(text: str, source: str) -> tuple[Policy | None, list[tuple[int | None, str]]]:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        return None, [(mark.line + 1 if mark else None, f"not valid YAML: {problem}")]
    dupes: list[tuple[int, str]] = []
    if root is not None:
        _duplicates(root, dupes)
    if not isinstance(data, dict):
        return None, [(1, "(top level): a policy is a mapping with version, name and revision")]
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        errors = [
            (_line_of(root, e["loc"]), f"{_field(e['loc'])}: {e['msg']}") for e in exc.errors()
        ]
        return None, [*dupes, *errors]
    found = [
        *dupes,
        *((_line_of(root, loc), f"{_field(loc)}: {msg}") for loc, msg in _semantic(policy)),
    ]
    return (None if found else policy), found


def parse_policy(text: str, source: str = "<policy>") -> Policy:
    """A validated policy from YAML text; :class:`SourceFileError` names line and field."""
    policy, problems = _problems(text, source)
    if policy is None:
        line, message = problems[0]
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise SourceFileError(source, message + more, line=line)
    return policy


def load_policy(path: str | Path) -> Policy:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SourceFileError(path, f"cannot read: {exc.strerror or exc}") from exc
    return parse_policy(text, str(path))


def check_policy_file(path: str | Path) -> list[str]:
    """Every problem in a policy file as ``path:line: field: message``; empty when valid."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return [f"{path}: cannot read: {exc.strerror or exc}"]
    _, problems = _problems(text, str(path))
    return [f"{path}:{line}: {msg}" if line else f"{path}: {msg}" for line, msg in problems]


__all__ = [
    "SCHEMA_VERSION",
    "Policy",
    "check_policy_file",
    "code_matches",
    "load_policy",
    "parse_policy",
]
