"""Attributes read from the words around a mention: laterality, acuity, severity/stage, site, links.

ICD-10-CM codes split on exactly these facts (left vs right, acute vs chronic, CKD stage 3a vs
3b, NYHA class, "due to"), so the coding engine needs them next to each mention. Everything
here is pure: precompiled regexes over one sentence, linear in its length. When a sentence
holds several candidates, the one nearest the mention wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medcoder.nlp.model import Mention

_LATERALITY_RE = re.compile(
    r"(?i:\b(?P<bi>bilateral(?:ly)?|bilat|both|b/l|left\s+and\s+right|right\s+and\s+left)\b"
    r"|\b(?P<left>left|lt)\b|\b(?P<right>right|rt)\b)"
    r"|(?<![\d.])(?<![\d.]\s)\b(?P<l>L)\b(?=\s+[a-z]{3,}|\))|(?<![\d.])(?<![\d.]\s)\b(?P<r>R)\b(?=\s+[a-z]{3,}|\))"
)
_ACUITY_RE = re.compile(
    r"\b(?P<aoc>acute(?:ly)?[\s-]+on[\s-]+chronic|acute\s+and\s+chronic|chronic\s+and\s+acute)\b"
    r"|\b(?P<sub>sub-?acute)\b|\b(?P<acute>acute(?:ly)?)\b|\b(?P<chronic>chronic(?:ally)?)\b",
    re.IGNORECASE,
)
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5"}
_STAGE_RE = re.compile(
    r"\b(?P<kind>stage|grade|gr\.?)\s*(?P<n>[0-5]|iv|v|i{1,3})(?P<sub>[a-c])?\b"
    r"|\bnyha(?:\s+(?:class|functional\s+class|fc))?\s*(?P<nyha>iv|i{1,3}|[1-4])\b",
    re.IGNORECASE,
)
_SEVERITY_RE = re.compile(
    r"\b(?P<sev>mild(?:ly)?|moderate(?:ly)?(?:\s+severe)?|severe(?:ly)?|critical|profound)\b",
    re.IGNORECASE,
)
_BODY_SITES = (
    "lower back", "upper back", "lower extremity", "upper extremity", "lower leg", "upper arm",
    "great toe", "small intestine", "large intestine", "heel", "foot", "feet", "ankle", "knee",
    "hip", "leg", "thigh", "calf", "shin", "arm", "forearm", "elbow", "wrist", "hand", "finger",
    "thumb", "toe", "shoulder", "back", "neck", "head", "face", "scalp", "chest", "abdomen",
    "pelvis", "sacrum", "sacral", "coccyx", "buttock", "groin", "perineum", "lung", "heart",
    "kidney", "liver", "spleen", "pancreas", "gallbladder", "breast", "eye", "ear", "nose",
    "mouth", "tongue", "throat", "colon", "rectum", "stomach", "esophagus", "bladder", "prostate",
    "uterus", "ovary", "testis", "brain", "spine", "cervical spine", "lumbar spine",
    "thoracic spine", "skin", "bone", "femur", "tibia", "fibula", "humerus", "radius", "ulna",
)  # fmt: skip
_SITE_RE = re.compile(
    r"\b(?P<site>"
    + "|".join(re.escape(s) for s in sorted(_BODY_SITES, key=len, reverse=True))
    + r")s?\b",
    re.IGNORECASE,
)
# "ulcer of left heel": a site right after the mention beats a nearer one elsewhere.
_OF_SITE_RE = re.compile(
    r"\s*(?:of|on|in|at|to)\s+(?:the\s+)?(?:(?P<side>left|right|bilateral|lt|rt|[LR])\s+)?",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.;!?](?:\s|$)|\n\s*\n")


@dataclass(frozen=True, slots=True)
class MentionAttributes:
    laterality: str | None = None  # left, right, bilateral
    acuity: str | None = None  # acute, chronic, acute on chronic, subacute
    severity: str | None = None  # stage/grade/NYHA class when given, else mild/moderate/severe
    body_site: str | None = None
    stage: str | None = None  # "stage 3b", "grade 2", "NYHA class III"
    severity_word: str | None = None  # mild, moderate, severe ...


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around ``[start, end)``: from the previous to the next . ; ! ? or blank line."""
    left = 0
    for match in _SENTENCE_END.finditer(text, max(0, start - 400), start):
        left = match.end()
    following = _SENTENCE_END.search(text, end, end + 400)
    right = following.start() + 1 if following else min(len(text), end + 400)
    return left, right


_CLAUSE_BREAK = re.compile(r";|\s(?:and|or|but|while|whereas)\s", re.I)


def _clause(text: str, lo: int, hi: int, start: int, end: int) -> tuple[int, int]:
    """The part of ``[lo, hi)`` around ``[start, end)`` between clause breaks (";", "and",
    "or", "but"); commas stay inside a clause ("rotator cuff tear, left")."""
    left, right = lo, hi
    for match in _CLAUSE_BREAK.finditer(text, lo, hi):
        if match.end() <= start:
            left = match.end()
        elif match.start() >= end:
            right = match.start()
            break
    return left, right


def _nearest(regex: re.Pattern[str], text: str, lo: int, hi: int, start: int, end: int):
    best, best_distance = None, None
    for match in regex.finditer(text, lo, hi):
        distance = max(start - match.end(), match.start() - end, 0)
        if best_distance is None or distance < best_distance:
            best, best_distance = match, distance
    return best


def _laterality(match: re.Match[str] | None) -> str | None:
    if match is None:
        return None
    if match.group("bi"):
        return "bilateral"
    return "left" if match.group("left") or match.group("l") else "right"


def _stage(match: re.Match[str]) -> str:
    if match.group("nyha"):
        number = match.group("nyha").lower()
        roman = {v: k for k, v in _ROMAN.items()}.get(number, number)
        return f"NYHA class {roman.upper()}"
    kind = "grade" if match.group("kind").lower().startswith("gr") else "stage"
    number = _ROMAN.get(match.group("n").lower(), match.group("n"))
    return f"{kind} {number}{(match.group('sub') or '').lower()}"


def _window(text: str, start: int, end: int, sentence: tuple[int, int] | None) -> tuple[int, int]:
    """The mention's own clause of its sentence: in "shortness of breath and leg swelling" the
    leg is the swelling's, in "right knee pain; left shoulder pain" each side is its own
    pain's (commas stay inside a clause: "rotator cuff tear, left")."""
    lo, hi = sentence if sentence is not None else sentence_bounds(text, start, end)
    return _clause(text, min(lo, start), max(hi, end), start, end)


def _site_after(text: str, end: int, hi: int) -> tuple[str | None, re.Match[str] | None, bool]:
    """ "... of the left knee" right after the mention: its site, and the side it names (the
    side's match, and whether a side was written at all)."""
    after = _OF_SITE_RE.match(text, end, hi)
    if after:
        site_match = _SITE_RE.match(text, after.end(), hi)
        if site_match:
            site = site_match.group("site").lower()
            if after.group("side"):
                side = _LATERALITY_RE.match(text, after.start("side"), after.end("side"))
                return site, side, True
            return site, None, False
    return None, None, False


def laterality_of(
    text: str, start: int, end: int, sentence: tuple[int, int] | None = None
) -> str | None:
    """The laterality :func:`extract_attributes` gives, read alone: one pattern scanned over
    the sentence instead of five (the laterality guideline asks it of every mention of a
    category, thousands in a long note)."""
    lo, hi = _window(text, start, end, sentence)
    _, side_match, sided = _site_after(text, end, hi)
    return _laterality(side_match if sided else _nearest(_LATERALITY_RE, text, lo, hi, start, end))


def extract_attributes(
    text: str,
    start: int,
    end: int,
    sentence: tuple[int, int] | None = None,
) -> MentionAttributes:
    """Attributes for the mention at ``text[start:end]`` read from its sentence."""
    lo, hi = _window(text, start, end, sentence)
    site, side_match, sided = _site_after(text, end, hi)
    laterality_match = side_match if sided else _nearest(_LATERALITY_RE, text, lo, hi, start, end)
    if site is None:
        site_match = _nearest(_SITE_RE, text, lo, hi, start, end)
        site = site_match.group("site").lower() if site_match else None
    acuity_match = _nearest(_ACUITY_RE, text, lo, hi, start, end)
    acuity = None
    if acuity_match:
        acuity = {"aoc": "acute on chronic", "sub": "subacute"}.get(
            acuity_match.lastgroup or "", acuity_match.lastgroup
        )
    stage_match = _nearest(_STAGE_RE, text, lo, hi, start, end)
    stage = _stage(stage_match) if stage_match else None
    severity_match = _nearest(_SEVERITY_RE, text, lo, hi, start, end)
    word = None
    if severity_match:
        word = severity_match.group("sev").lower()
        word = re.sub(r"ly\b", "", word) if word != "moderately severe" else word
    return MentionAttributes(
        laterality=_laterality(laterality_match),
        acuity=acuity,
        severity=stage or word,
        body_site=site,
        stage=stage,
        severity_word=word,
    )


def mention_laterality(text: str, mention: Mention) -> str | None:
    """What :func:`apply_attributes` would set as the mention's laterality."""
    if mention.laterality:
        return mention.laterality
    sentence = None
    if mention.sentence_start is not None and mention.sentence_end is not None:
        sentence = (mention.sentence_start, mention.sentence_end)
    return laterality_of(text, mention.start, mention.end, sentence)


def apply_attributes(text: str, mention: Mention) -> Mention:
    """Fill a mention's attribute fields that are still empty; returns the same mention."""
    sentence = None
    if mention.sentence_start is not None and mention.sentence_end is not None:
        sentence = (mention.sentence_start, mention.sentence_end)
    found = extract_attributes(text, mention.start, mention.end, sentence)
    mention.laterality = mention.laterality or found.laterality
    mention.acuity = mention.acuity or found.acuity
    mention.severity = mention.severity or found.severity
    mention.body_site = mention.body_site or found.body_site
    if found.stage:
        mention.attributes.setdefault("stage", found.stage)
    if found.severity_word:
        mention.attributes.setdefault("severity_word", found.severity_word)
    return mention


_FILLER = r"(?:(?:an?|the|his|her|their|benign|acute|chronic|severe|mild|moderate|underlying|known|new|worsening|left|right|bilateral)\s+)*"  # noqa: E501
_LINK_RE = re.compile(
    r"\s*,?\s*(?:(?:most\s+)?(?:likely|probably|possibly|presumably)\s+)?"
    r"(?P<rel>due\s+to|secondary\s+to|caused\s+by|because\s+of|related\s+to|attributed\s+to"
    r"|from|in\s+(?:the\s+)?setting\s+of|associated\s+with|with|of|on|in|at)\s+" + _FILLER + r"$",
    re.IGNORECASE,
)
_RELATIONS = {
    "due": ("due_to", "cause_of"),
    "with": ("with", "with"),
    "site": ("site", "site_of"),
}


def _relation(phrase: str) -> str:
    phrase = phrase.lower()
    if phrase in ("with", "associated with"):
        return "with"
    if phrase in ("of", "on", "in", "at"):
        return "site"
    return "due"


def link_mentions(text: str, mentions: list[Mention]) -> None:
    """Link neighbouring mentions joined by "due to", "secondary to", "caused by", "with", "of".

    Fills ``Mention.links`` in place with ``(relation, index)`` pairs, index into ``mentions``:
    for "X due to Y", X gets ``("due_to", j)`` and Y ``("cause_of", i)``; "X with Y" links
    both ways as ``"with"`` (ICD-10-CM presumes a link for "with"); "X of Y" gives ``"site"``.
    Only adjacent mentions in one sentence are linked, so the cost is one sort.
    """
    order = sorted(range(len(mentions)), key=lambda i: (mentions[i].start, mentions[i].end))
    for a, b in zip(order, order[1:], strict=False):
        first, second = mentions[a], mentions[b]
        if second.start <= first.end or second.start - first.end > 80:
            continue
        match = _LINK_RE.match(text, first.end, second.start)
        if not match or match.end() != second.start:
            continue
        forward, backward = _RELATIONS[_relation(re.sub(r"\s+", " ", match.group("rel")))]
        if (forward, b) not in first.links:
            first.links.append((forward, b))
        if (backward, a) not in second.links:
            second.links.append((backward, a))
