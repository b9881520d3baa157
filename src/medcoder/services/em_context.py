"""Which E/M cues a note actually asserts: the shared ConText engine plus decision hedges.

Negation, family history and hypotheticals are decided by the one assertion engine medcoder
has (``nlp.context``, the ``medcoder.assertion_rules.v1`` rules, read from the note's one
parse with the same section and risk roles as diagnosis coding), so "no
exacerbation", "denies worsening", "not well controlled" and "return if symptoms worsen" read
the same way here as in diagnosis coding. What ConText does not model is whether a plan is a
*decision*: "possible surgical intervention may be required", "if the pain does not improve I
will recommend an injection" and "we can consider further imaging" decide nothing yet, and the
AMA risk and data elements count only what was decided or done. Those hedges are one table here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from medcoder.nlp.model import Assertion

if TYPE_CHECKING:
    from medcoder.nlp.context import ContextParse

# Assertions under which a cue does not count.
NOT_ASSERTED = frozenset(
    {Assertion.NEGATED, Assertion.RULED_OUT, Assertion.HYPOTHETICAL, Assertion.FAMILY}
)
# Words before a planned action, in its clause, that make it a possibility, not a decision.
_HEDGE = re.compile(
    r"\b(?:if|unless|may|might|could|consider(?:ing)?|possibl[ey]|potentially|perhaps"
    r"|in the future|down the road|eventually|option(?:s)? (?:of|for|include)|should (?:he|she"
    r"|they|the patient|symptoms?|pain) (?:fail|not|continue|worsen|persist)|would (?:need|require)"
    r"|discuss(?:ed)? (?:further )?(?:treatment )?options)\b",
    re.I,
)
# Words after a planned action that call it off: "CBC not needed", "x-ray deferred".
_CALLED_OFF = re.compile(
    r"[^.;:!?\n]{0,30}?\b(?:(?:is|was|are|were) )?(?:not (?:needed|indicated|necessary|required"
    r"|done|performed|obtained|ordered|warranted)|unnecessary|deferred|declined|cancell?ed)\b",
    re.I,
)
_CLAUSE_START = re.compile(r"[.;:!?\n]|\b(?:but|however|and then|in the meantime)\b", re.I)


class NoteContext:
    """Assertion answers for spans of one note, from the note's one assertion parse
    (:func:`medcoder.nlp.annotator.context_of`: the annotated document's when coding)."""

    def __init__(self, text: str, context: ContextParse) -> None:
        self.text = text
        self.context = context
        self._cache: dict[tuple[int, int], Assertion] = {}

    def assertions(self, spans: list[tuple[int, int]]) -> list[Assertion]:
        """The ConText assertion of each span (cached, one annotator run for the new ones)."""
        new = [s for s in dict.fromkeys(spans) if s not in self._cache and s[0] < s[1]]
        if new:
            results = self.context.assertions(new)
            self._cache.update(
                {span: result.assertion for span, result in zip(new, results, strict=True)}
            )
        return [self._cache.get(s, Assertion.PRESENT) for s in spans]

    def asserted(self, spans: list[tuple[int, int]]) -> list[bool]:
        """Whether each span is asserted (not negated, ruled out, hypothetical, family)."""
        return [a not in NOT_ASSERTED for a in self.assertions(spans)]

    def hedged(self, start: int) -> bool:
        """Whether the clause before ``start`` makes what follows a possibility ("if", "may")."""
        before = self.text[max(0, start - 160) : start]
        cut = [m.end() for m in _CLAUSE_START.finditer(before)]
        return bool(_HEDGE.search(before[cut[-1] :] if cut else before))

    def negated_fact(self, start: int, end: int) -> bool:
        """Whether the span is negated as a fact: "is not well controlled", not "if his
        symptoms have not improved"."""
        return self.assertions([(start, end)])[0] is Assertion.NEGATED and not self.hedged(start)

    def decided(self, start: int, end: int) -> bool:
        """Whether a planned action at ``[start, end)`` is decided: asserted, and no hedge
        ("if", "may", "consider", "possible") earlier in its clause."""
        if not self.asserted([(start, end)])[0]:
            return False
        return not self.hedged(start) and not _CALLED_OFF.match(self.text, end)
