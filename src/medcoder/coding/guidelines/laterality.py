"""Laterality from the documentation (I.B.13).

"For bilateral sites, the final character of the codes in the ICD-10-CM indicates laterality
... An unspecified side code is also provided should the side not be identified in the medical
record." A code reached through the index is often the unspecified-side code ("Colles'
fracture of unspecified radius"); when the mention says "right wrist Colles fracture" the coder
reports the right-side code, and a code whose title names the other side than its evidence is
wrong. The side comes from the mention's own sentence, else from another mention of the same
category in the note (a preoperative diagnosis "Rotator cuff tear, left" gives the side of
the postoperative "rotator cuff tear, joint side").
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from medcoder.codesets.icd10cm_pack import ICD10CMPack
from medcoder.codesets.systems import code_key
from medcoder.coding.guidelines.base import GuidelineRule, RuleContext

_SIDE_WORDS = ("right", "left", "bilateral", "unspecified")
_SIDE = re.compile(r"\b(right|left|bilateral|unspecified)\b", re.I)
_NAMED_SIDE = re.compile(r"\b(right|left|bilateral)\b", re.I)


def _side_of(context: RuleContext, suggestion) -> str | None:  # noqa: ANN001
    from medcoder.nlp.attributes import mention_laterality

    sides: Counter[str] = Counter()
    for mention in context.mentions_of(suggestion):
        annotated = context.annotated[mention.document_id]
        side = mention_laterality(annotated.text, mention)
        if side:
            sides[side] += 1
    if not sides:
        category = code_key(suggestion.code)[:3]
        documents = {e.document for e in suggestion.evidence}
        for annotated, mention in context.all_mentions():
            if annotated.id in documents and any(c.startswith(category) for c in mention.codes):
                side = mention_laterality(annotated.text, mention)  # the side alone: fast
                if side:
                    sides[side] += 1
    if len(sides) != 1:
        return None  # no side, or both sides documented: leave the code as reached
    return next(iter(sides))


@lru_cache(maxsize=4096)
def _family(pack: ICD10CMPack, category: str) -> dict[str, str]:
    """Billable codes of a category by their title with the side word blanked out."""
    out: dict[str, str] = {}
    stack = [category]
    while stack:
        key = stack.pop()
        children = pack.children(key)
        if not children and pack.is_billable(key):
            title = (pack.title(key) or "").lower()
            out.setdefault(f"{len(key)}|{title}", key)
        stack.extend(children)
    return out


def _lateral_sibling(pack: ICD10CMPack, code: str, side: str) -> str | None:
    key = code_key(code)
    title = (pack.title(key) or "").lower()
    found = list(_SIDE.finditer(title))
    if not found:
        return None
    if any(m.group(1) == side for m in found):
        return None  # already the documented side
    family = _family(pack, key[:3])
    for m in found:
        candidate = f"{title[: m.start()]}{side}{title[m.end() :]}"
        sibling = family.get(f"{len(key)}|{candidate}")
        if sibling is not None and sibling != key:
            return sibling
    return None


# Words a lateral code may add to an unspecified title: "Osteoarthritis of knee, unspecified"
# becomes "Unilateral primary osteoarthritis, right knee" (primary is the default form).
_LATERAL_EXTRA = frozenset({"unilateral", "primary"})
_WORD = re.compile(r"[a-z]+")


def _stems(title: str) -> set[str]:
    """Title words without a plural s ("bilateral upper limbs" names the upper limb)."""
    return {w[:-1] if len(w) > 4 and w.endswith("s") and not w.endswith("ss") else w
            for w in _WORD.findall(title)}  # fmt: skip


def _closest_lateral(pack: ICD10CMPack, code: str, side: str) -> str | None:
    """A code of the category naming ``side`` whose title adds only the side (and the
    default-form words) to the unspecified title."""
    key = code_key(code)
    title = (pack.title(key) or "").lower()
    own = _stems(title) - {"unspecified", "of", "in", "and"}
    best: tuple[int, str] | None = None
    for label, sibling in _family(pack, key[:3]).items():
        words = _stems(label.split("|", 1)[1]) - {"of", "in", "and"}
        if side not in words or not own <= words:
            continue
        extra = words - own - {side}
        if extra <= _LATERAL_EXTRA and (best is None or len(extra) < best[0]):
            best = (len(extra), sibling)
    return best[1] if best else None


def apply(context: RuleContext) -> None:
    for suggestion in list(context.suggestions):
        if suggestion.system != "ICD-10-CM" or not _SIDE.search(suggestion.description or ""):
            continue  # a title that names no side and no unspecified part has no lateral code
        side = _side_of(context, suggestion)
        if side is None:
            continue
        sibling = _lateral(context.pack, suggestion, side)
        if sibling is None and side == "bilateral":
            # "If no bilateral code is provided and the condition is bilateral, assign
            # separate codes for both the left and right side" (I.B.13).
            right = _lateral(context.pack, suggestion, "right")
            left = _lateral(context.pack, suggestion, "left")
            if right is not None and left is not None:
                why = "bilateral, no bilateral code: each side"
                context.recode(suggestion, right, LATERALITY, why)
                context.add(left, LATERALITY, list(suggestion.evidence), why)
            continue
        if sibling is not None:
            context.recode(suggestion, sibling, LATERALITY, f"the documentation says {side}")


def _lateral(pack: ICD10CMPack, suggestion, side: str) -> str | None:  # noqa: ANN001
    """The code of ``side`` for ``suggestion``: its title with the side word changed, else
    the closest code of the category naming the side."""
    sibling = _lateral_sibling(pack, suggestion.code, side)
    if sibling is None and not _NAMED_SIDE.search(suggestion.description or ""):
        sibling = _closest_lateral(pack, suggestion.code, side)
    return sibling


LATERALITY = GuidelineRule(
    "laterality",
    "I.B.13",
    "The side documented for the condition picks the right, left or bilateral code",
    apply,
)


def lateral_siblings(pack: ICD10CMPack, code: str) -> dict[str, str]:
    """The right, left and bilateral codes of an unspecified-side code (what a reviewer
    checks the note against)."""
    out = {}
    for side in ("right", "left", "bilateral"):
        sibling = _lateral_sibling(pack, code, side) or _closest_lateral(pack, code, side)
        if sibling is not None:
            out[side] = sibling
    return out
