"""CDI opportunity rules as data: one YAML (or JSON) file per opportunity.

A CDI team adds and tunes rules without code, so every threshold, keyword and query option
lives in ``cdi/rules/*.yaml``. A file is validated with pydantic on load; a malformed one is
refused with :class:`~medcoder.errors.SourceFileError` naming the file, the line and the field,
because a silently ignored rule is a query never sent (or one sent on the wrong evidence).

Rule ids are versioned (``hyponatremia.v1``): a query records the rule that drafted it, so a
tuned threshold gets a new version and old queries keep meaning what they meant.

Query formats follow the AHIMA/ACDIS "Guidelines for Achieving a Compliant Query Practice"
(2022 update): yes/no is accepted only for substantiating a documented diagnosis,
cause-and-effect, conflicting documentation and present-on-admission (POA); multiple choice
lists clinically reasonable options and always gets "Other" and "Clinically undetermined"
added by :mod:`medcoder.cdi.drafting`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from medcoder.cdi._rule_source import parse_rule_source, problem_from_validation
from medcoder.errors import SourceFileError
from medcoder.nlp.units import ANALYTES

RULES_DIR = Path(__file__).resolve().parent / "rules"
RULE_SUFFIXES = (".yaml", ".yml", ".json")

Comparator = Literal["<", "<=", ">", ">=", "==", "!="]
QueryFormat = Literal["open_ended", "multiple_choice", "yes_no"]
QueryReason = Literal[
    "indicators_without_diagnosis",
    "specificity",
    "clinical_validation",
    "conflicting_documentation",
    "present_on_admission",
    "cause_and_effect",
    "substantiate_documented_diagnosis",
]
SettingName = Literal["inpatient", "outpatient", "emergency", "observation", "abstraction"]
# How a mention is asserted (``medcoder.nlp.model.Assertion`` values) that a criterion accepts.
AssertionName = Literal[
    "present", "negated", "possible", "historical", "family", "hypothetical", "ruled_out"
]
# AHIMA/ACDIS 2022: yes/no may not establish a new diagnosis from clinical indicators alone.
YES_NO_REASONS = frozenset(
    {
        "present_on_admission",
        "cause_and_effect",
        "conflicting_documentation",
        "substantiate_documented_diagnosis",
    }
)
# Measurements the rule files may name: every analyte medcoder normalises, plus the ejection
# fraction that cdi.indicators reads from echo text (not a lab, so not in nlp.units).
EXTRA_ANALYTES = {"ejection_fraction": "%"}
VITAL_ANALYTES = frozenset({"temperature", "heart_rate", "resp_rate", "spo2", "sbp", "dbp", "bmi"})


def analyte_unit(name: str) -> str | None:
    """The canonical unit of a measurement a rule may name, or None if unknown."""
    if name in ANALYTES:
        return ANALYTES[name].unit
    return EXTRA_ANALYTES.get(name)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _known_analyte(name: str) -> str:
    if analyte_unit(name) is None:
        known = ", ".join(sorted([*ANALYTES, *EXTRA_ANALYTES]))
        raise ValueError(f"unknown analyte {name!r}; known analytes: {known}")
    return name


class MeasurementCriterion(_Strict):
    """A lab value or vital sign compared with a threshold on ``min_count`` distinct draws."""

    kind: Literal["lab", "vital"]
    analyte: str
    comparator: Comparator
    value: float
    unit: str | None = None  # documents the threshold's unit; must be the canonical one
    min_count: int = Field(1, ge=1)
    require_date: bool = False
    label: str | None = None

    _check_analyte = field_validator("analyte")(_known_analyte)

    @model_validator(mode="after")
    def _unit_and_kind(self) -> MeasurementCriterion:
        canonical = analyte_unit(self.analyte)
        if self.unit is not None and self.unit != canonical:
            raise ValueError(
                f"unit {self.unit!r} for {self.analyte}: thresholds use the canonical unit "
                f"{canonical!r} (values are normalised before comparison)"
            )
        if self.kind == "vital" and self.analyte not in VITAL_ANALYTES:
            raise ValueError(f"{self.analyte!r} is not a vital sign; use kind: lab")
        return self

    @property
    def key(self) -> str:
        return self.label or self.analyte


class TrendCriterion(_Strict):
    """A change between two draws of one analyte (KDIGO creatinine rise, hemoglobin drop)."""

    kind: Literal["trend"]
    analyte: str
    direction: Literal["rise", "drop"]
    min_change: float | None = Field(None, gt=0)
    min_ratio: float | None = Field(None, gt=1)
    within_hours: float | None = Field(None, gt=0)
    unit: str | None = None
    label: str | None = None

    _check_analyte = field_validator("analyte")(_known_analyte)

    @model_validator(mode="after")
    def _one_measure(self) -> TrendCriterion:
        if (self.min_change is None) == (self.min_ratio is None):
            raise ValueError("give exactly one of min_change or min_ratio")
        canonical = analyte_unit(self.analyte)
        if self.unit is not None and self.unit != canonical:
            raise ValueError(f"unit {self.unit!r} for {self.analyte}: use {canonical!r}")
        return self

    @property
    def key(self) -> str:
        return self.label or self.analyte


Phrase = Annotated[str, Field(min_length=2, pattern=r"^\w")]


class KeywordCriterion(_Strict):
    """Treatment keywords ('fluid restriction') or documented phrases ('CHF') asserted as
    ``assertions`` say (present only, by default: never negated, hypothetical, a risk)."""

    kind: Literal["treatment", "phrase"]
    keywords: list[Phrase] = Field(min_length=1)
    sources: Literal["any", "provider", "nursing"] = "any"
    assertions: list[AssertionName] = Field(default_factory=lambda: ["present"], min_length=1)
    label: str | None = None

    @property
    def key(self) -> str:
        return self.label or self.keywords[0]


class _ConditionCriterion(_Strict):
    """A documented condition: its phrases, and words that make a match something else."""

    condition: list[Phrase] = Field(min_length=1)
    not_when: list[Phrase] = Field(default_factory=list)  # "insipidus", "decubitus position"
    assertions: list[AssertionName] = Field(default_factory=lambda: ["present"], min_length=1)
    sources: Literal["any", "provider", "nursing"] = "provider"
    label: str | None = None

    @property
    def key(self) -> str:
        return self.label or self.condition[0]

    @cached_property
    def specifier_words(self) -> tuple[str, ...]:
        """Every specifier and exclusive value: words that may extend a mention's clause."""
        groups = [*getattr(self, "specifiers", {}).values(), *getattr(self, "exclusive", [])]
        return tuple(w for group in groups for w in group)


class UnspecifiedCriterion(_ConditionCriterion):
    """A condition documented without what its code needs: met when, over every accepted
    mention, some ``specifiers`` group has no word in the mention's clause ("CHF" names no
    type and no acuity; "chronic systolic CHF" names both). No groups: the term is never
    codable as written ("urosepsis")."""

    kind: Literal["unspecified"]
    specifiers: dict[str, list[Phrase]] = Field(default_factory=dict)


class ConflictCriterion(_ConditionCriterion):
    """Conflicting documentation of one condition: affirmed in one place and denied in another,
    or documented with ``exclusive`` values that cannot all hold (type 1 and type 2)."""

    kind: Literal["conflict"]
    exclusive: list[list[Phrase]] = Field(default_factory=list)


class CodeCriterion(_Strict):
    """Already coded codes (display-form prefixes) that make a specificity query worth asking.

    ``evidence_words``: when given, the code counts only if the words it was coded from name
    one of them (an engine's I50.9 read from "heart bypass" documents no heart failure).
    """

    kind: Literal["code"]
    codes: list[Annotated[str, Field(min_length=1)]] = Field(min_length=1)
    evidence_words: list[Phrase] = Field(default_factory=list)
    label: str | None = None

    @property
    def key(self) -> str:
        return self.label or self.codes[0]


class PoaCriterion(_Strict):
    """Inpatient codes whose POA status is genuinely unclear: documented only where the stay
    after admission is told (``after_admission_sections``), with nothing in that sentence
    that dates the onset either way (``evident_phrases`` say present on admission,
    ``onset_phrases`` say it developed after admission)."""

    kind: Literal["poa_unclear"]
    exempt_prefixes: list[str] = Field(default_factory=list)
    evident_sections: list[str] = Field(default_factory=list)
    after_admission_sections: list[str] = Field(default_factory=list)
    evident_phrases: list[str] = Field(default_factory=list)
    onset_phrases: list[str] = Field(default_factory=list)
    label: str | None = None

    @property
    def key(self) -> str:
        return self.label or "poa"


Criterion = Annotated[
    MeasurementCriterion
    | TrendCriterion
    | KeywordCriterion
    | CodeCriterion
    | PoaCriterion
    | UnspecifiedCriterion
    | ConflictCriterion,
    Field(discriminator="kind"),
]


class CriteriaGroup(_Strict):
    """At least ``min_met`` distinct labels of ``any_of`` must hold (SIRS: 2 of 4).

    ``optional``: cited when met, never required (a diuretic behind an unspecified heart
    failure). ``absent``: must NOT be met (clinical validation: a documented diagnosis without
    the indicators that would support it).
    """

    label: str
    min_met: int = Field(1, ge=1)
    optional: bool = False
    absent: bool = False
    any_of: list[Criterion] = Field(min_length=1)

    @model_validator(mode="after")
    def _reachable(self) -> CriteriaGroup:
        labels = {c.key for c in self.any_of}
        if self.min_met > len(labels):
            raise ValueError(
                f"min_met {self.min_met} can never be reached: only {len(labels)} distinct "
                f"labels in any_of ({', '.join(sorted(labels))})"
            )
        if self.optional and self.absent:
            raise ValueError("a group is optional or absent, not both")
        return self


class TargetDiagnosis(_Strict):
    """The diagnosis a rule's query is about; coded or documented already means no query is
    needed.

    ``assertions``: how a documented phrase must be asserted to count. Present or uncertain by
    default (an uncertain inpatient diagnosis is coded as established, OCG II.H); add
    ``historical`` where a "history of" diabetes already answers what insulin is for.
    """

    name: str
    coded_prefixes: list[str] = Field(default_factory=list)
    documented_phrases: list[str] = Field(default_factory=list)
    assertions: list[AssertionName] = Field(
        default_factory=lambda: ["present", "possible"], min_length=1
    )


class OptionCondition(_Strict):
    """An option is offered when one usable value of ``analyte`` lies in the range, or when
    there is no usable value at all (nothing narrows the clinically reasonable options)."""

    analyte: str
    at_least: float | None = None
    above: float | None = None
    below: float | None = None
    at_most: float | None = None

    _check_analyte = field_validator("analyte")(_known_analyte)

    @model_validator(mode="after")
    def _some_bound(self) -> OptionCondition:
        if all(b is None for b in (self.at_least, self.above, self.below, self.at_most)):
            raise ValueError("give at least one of at_least, above, below, at_most")
        return self

    def holds(self, value: float) -> bool:
        return (
            (self.at_least is None or value >= self.at_least)
            and (self.above is None or value > self.above)
            and (self.below is None or value < self.below)
            and (self.at_most is None or value <= self.at_most)
        )


class Option(_Strict):
    text: str = Field(min_length=2)
    when: OptionCondition | None = None


class QuerySpec(_Strict):
    format: QueryFormat
    reason: QueryReason
    subject: str = Field(min_length=3)
    question: str | None = None
    options: list[Option] = Field(default_factory=list)

    @field_validator("options", mode="before")
    @classmethod
    def _plain_strings(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"text": v} if isinstance(v, str) else v for v in value]
        return value

    @field_validator("question", "subject")
    @classmethod
    def _compliant_wording(cls, value: str | None) -> str | None:
        from medcoder.cdi.lint import lint_wording

        if value:
            problems = lint_wording(value)
            if problems:
                raise ValueError("non-compliant wording: " + "; ".join(problems))
        return value

    @model_validator(mode="after")
    def _format_rules(self) -> QuerySpec:
        if self.format == "yes_no":
            if self.reason not in YES_NO_REASONS:
                allowed = ", ".join(sorted(YES_NO_REASONS))
                raise ValueError(
                    f"format yes_no is not allowed for reason {self.reason!r} (AHIMA/ACDIS 2022: "
                    f"yes/no only for {allowed}); use open_ended or multiple_choice"
                )
            if not self.question:
                raise ValueError("format yes_no needs a question")
        if self.format in ("multiple_choice", "yes_no") and not self.options:
            raise ValueError(f"format {self.format} needs at least one option")
        if self.format == "open_ended" and self.options:
            raise ValueError("format open_ended takes no options")
        return self


class QueryRule(_Strict):
    """One CDI opportunity: when to ask, what to cite, and how the query may be worded."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*\.v[0-9]+$")
    title: str
    topic: str = ""  # the condition the query is about (heart_failure, anemia); default: the id
    description: str = ""
    settings: list[SettingName] = Field(
        default_factory=lambda: ["inpatient", "outpatient", "emergency", "observation"]
    )
    diagnosis: TargetDiagnosis
    criteria: list[CriteriaGroup] = Field(min_length=1)
    query: QuerySpec

    @model_validator(mode="after")
    def _poa_rules(self) -> QueryRule:
        poa = [c for g in self.criteria for c in g.any_of if isinstance(c, PoaCriterion)]
        if poa and self.query.reason != "present_on_admission":
            raise ValueError("a poa_unclear criterion needs query.reason present_on_admission")
        return self

    @model_validator(mode="after")
    def _default_topic(self) -> QueryRule:
        if not self.topic:
            object.__setattr__(self, "topic", self.id.rsplit(".", 1)[0])
        return self

    @cached_property
    def per_code(self) -> bool:
        """True for rules that ask one query per coded diagnosis (POA)."""
        return any(isinstance(c, PoaCriterion) for g in self.criteria for c in g.any_of)

    def criteria_flat(self) -> Iterator[Any]:
        for group in self.criteria:
            yield from group.any_of

    @cached_property
    def keywords(self) -> frozenset[str]:
        """Every phrase the rule needs found in text (triggers and documented diagnoses)."""
        words = set(self.diagnosis.documented_phrases)
        for c in self.criteria_flat():
            if isinstance(c, KeywordCriterion):
                words.update(c.keywords)
            elif isinstance(c, UnspecifiedCriterion | ConflictCriterion):
                words.update(c.condition)
            elif isinstance(c, PoaCriterion):
                words.update(c.evident_phrases)
                words.update(c.onset_phrases)
        return frozenset(words)

    @cached_property
    def analytes(self) -> frozenset[str]:
        """Measurements the rule reads (their excluded values are listed on its opportunity)."""
        return frozenset(c.analyte for c in self.criteria_flat() if hasattr(c, "analyte"))


def load_rule_file(path: str | Path) -> QueryRule:
    """Read and validate one rule file; raise SourceFileError with line and field on error."""
    path = Path(path)
    data, locate = parse_rule_source(path)
    try:
        return QueryRule.model_validate(data)
    except ValidationError as exc:
        problem, line = problem_from_validation(exc, locate)
        raise SourceFileError(path, problem, line=line) from None


class RuleSet(tuple[QueryRule, ...]):
    """An ordered, id-unique collection of rules (a tuple, so it can be cached and hashed)."""

    def by_id(self, rule_id: str) -> QueryRule:
        for rule in self:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    @cached_property
    def keywords(self) -> frozenset[str]:
        """Every keyword of every rule: one phrase pattern is compiled for the whole set."""
        return frozenset(w for rule in self for w in rule.keywords)


def load_rules(paths: str | Path | Iterable[str | Path] | None = None) -> RuleSet:
    """Rules from files or directories (default: the shipped ``cdi/rules``), sorted by id.

    Two files declaring one id are refused: which one applies would depend on file order.
    """
    if paths is None:
        return default_rules()
    if isinstance(paths, str | Path):
        paths = [paths]
    files: list[Path] = []
    for item in map(Path, paths):
        if item.is_dir():
            files.extend(sorted(p for p in item.iterdir() if p.suffix in RULE_SUFFIXES))
        else:
            files.append(item)
    seen: dict[str, Path] = {}
    rules = []
    for file in files:
        rule = load_rule_file(file)
        if rule.id in seen:
            raise SourceFileError(file, f"duplicate rule id {rule.id!r} (also in {seen[rule.id]})")
        seen[rule.id] = file
        rules.append(rule)
    return RuleSet(sorted(rules, key=lambda r: r.id))


@lru_cache(maxsize=1)
def default_rules() -> RuleSet:
    """The shipped rules, loaded once per process."""
    return load_rules([RULES_DIR])


def rule_schema() -> dict[str, Any]:
    """JSON Schema of a rule file, for editors and the CDI team's documentation."""
    return QueryRule.model_json_schema()


__all__ = [
    "QueryRule",
    "RuleSet",
    "load_rule_file",
    "load_rules",
    "default_rules",
    "rule_schema",
]
