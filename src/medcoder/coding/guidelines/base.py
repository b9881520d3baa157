"""What a guideline rule is, and what it can read and change."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from medcoder.codesets.icd10cm_pack import ICD10CMPack, display
from medcoder.codesets.systems import code_key
from medcoder.nlp.annotated import AnnotatedDocument
from medcoder.nlp.annotator import attributes_of
from medcoder.nlp.attributes import link_mentions
from medcoder.nlp.model import Mention
from medcoder.suggestions import CodeSuggestion, Evidence, Rejected


@dataclass(frozen=True)
class GuidelineRule:
    """One guideline rule: ``apply(context)`` edits the context's suggestions in place."""

    id: str
    guideline: str
    title: str
    apply: Callable[[RuleContext], None]

    def __call__(self, context: RuleContext) -> None:
        self.apply(context)


class RuleContext:
    """The diagnoses of one coding run with what the rules need to read about them."""

    def __init__(
        self,
        suggestions: list[CodeSuggestion],
        annotated: list[AnnotatedDocument],
        pack: ICD10CMPack,
        setting: str,
        rejected: list[Rejected],
        warnings: list[str],
    ) -> None:
        self.suggestions = suggestions
        self.annotated = {a.id: a for a in annotated}
        self.pack = pack
        self.setting = setting
        self.rejected = rejected
        self.warnings = warnings
        self._linked: set[str] = set()

    @cached_property
    def _by_span(self) -> dict[tuple[str, int, int], Mention]:
        return {
            (doc_id, m.start, m.end): m for doc_id, a in self.annotated.items() for m in a.mentions
        }

    def mentions_of(self, suggestion: CodeSuggestion, *, described: bool = False) -> list[Mention]:
        """The mentions behind a suggestion's evidence; ``described``: with laterality, site,
        acuity and severity read (a regex pass per mention: ask only when a rule needs them)."""
        out = []
        for e in suggestion.evidence:
            mention = self._by_span.get((e.document, e.start, e.end))
            if mention is not None:
                annotated = self.annotated[e.document]
                out.append(attributes_of(annotated, mention) if described else mention)
        return out

    def linked(self, document: str) -> AnnotatedDocument:
        """The document with its neighbouring mentions linked ("X with Y", "X due to Y"):
        linked on the first request, as coding does not need links for every note."""
        annotated = self.annotated[document]
        if document not in self._linked:
            link_mentions(annotated.text, annotated.mentions)
            self._linked.add(document)
        return annotated

    def links_of(self, suggestion: CodeSuggestion) -> list[tuple[str, str, Mention]]:
        """``(document, relation, mention)`` for each mention the record links to one of the
        suggestion's own ("X with Y", "X due to Y"), read from the linked documents."""
        out = []
        for e in suggestion.evidence:
            if e.document not in self.annotated:
                continue
            annotated = self.linked(e.document)
            for mention in annotated.mentions:
                if (mention.start, mention.end) == (e.start, e.end):
                    out.extend((e.document, r, annotated.mentions[j]) for r, j in mention.links)
        return out

    def assertion_of(self, annotated: AnnotatedDocument, start: int, end: int):  # noqa: ANN201
        """The ConText assertion of a span the rules found themselves, read from the
        document's one assertion parse (same sentences and roles as its mentions)."""
        return annotated.assertions([(start, end)])[0]

    def add(
        self,
        code: str,
        rule: GuidelineRule,
        evidence,
        why: str,
        guideline: str | None = None,  # noqa: ANN001
        score: float = 0.8,
    ) -> CodeSuggestion | None:
        """Report ``code`` (billable) with its evidence, unless it is reported already."""
        key = code_key(code)
        if not self.pack.is_billable(key):
            return None
        for suggestion in self.suggestions:
            if code_key(suggestion.code) == key:
                suggestion.evidence.extend(e for e in evidence if e not in suggestion.evidence)
                return suggestion
        suggestion = CodeSuggestion(
            system="ICD-10-CM",
            code=display(key),
            description=self.pack.title(key) or "",
            score=score,
            evidence=list(evidence),
            path=[f"{rule.id}: {why}"],
            guidelines=[guideline or rule.guideline],
        )
        self.suggestions.append(suggestion)
        return suggestion

    def evidence(self, annotated: AnnotatedDocument, start: int, end: int) -> Evidence:
        section = annotated.section_at(start)
        return Evidence(
            annotated.id,
            start,
            end,
            annotated.text[start:end],
            section=section.kind if section else None,
            page=annotated.document.page_at(start),
        )

    def all_mentions(self) -> list[tuple[AnnotatedDocument, Mention]]:
        return [(a, m) for a in self.annotated.values() for m in a.mentions]

    def recode(
        self, suggestion: CodeSuggestion, new_code: str, rule: GuidelineRule, why: str
    ) -> None:
        """Replace a suggestion's code by ``new_code`` (a billable code), saying why."""
        key = code_key(new_code)
        if not self.pack.is_billable(key) or key == code_key(suggestion.code):
            return
        old = suggestion.code
        suggestion.code = display(key)
        suggestion.description = self.pack.title(key) or ""
        suggestion.path.append(f"{rule.id}: {old} -> {suggestion.code}: {why}")
        if rule.guideline not in suggestion.guidelines:
            suggestion.guidelines.append(rule.guideline)

    def drop(self, suggestion: CodeSuggestion, rule: GuidelineRule, why: str) -> None:
        """Take a suggestion out, recording the rule and the reason."""
        if suggestion in self.suggestions:
            self.suggestions.remove(suggestion)
        self.rejected.append(
            Rejected(
                suggestion.code,
                suggestion.description,
                f"{why} [{rule.id}]",
                rule.guideline,
                suggestion.evidence,
            )
        )
