"""Problems addressed at a visit, each placed in a column of the AMA MDM problems element.

Real assessments are written in many shapes: a heading per problem followed by "Medical
Reasoning / Medical Treatment / Additional Testing" bullets; a numbered list with the plan on
the same line; a bullet list of diagnoses in ASSESSMENT and narrative paragraphs in PLAN
("Regarding his diabetes, ..."); a single impression line; a run-together transcription
(",IMPRESSION: , ... ,PLAN: , ..."). :func:`problem_blocks` finds the problems and the text
that discusses each; :func:`classify` then reads that text the way the AMA table is written:

* the table's own words ("stable chronic illness", "acute complicated injury") decide first;
* a threat to life or bodily function (sepsis, compression of the optic chiasm, stroke);
* a chronic illness (``em_terms.CHRONIC``) is *not at goal* when the text says it is worse,
  uncontrolled, not controlled (ConText negation of "controlled"), elevated, or when its
  treatment is started or increased; it has *side effects of treatment* when the plan says so;
  otherwise it is stable;
* an injury is *complicated* when its care is surgery, reduction or a cast;
* a symptom or abnormal finding under work-up, or a diagnosis the author hedges ("likely",
  "suspect", "concern for"), is an *undiagnosed new problem with uncertain prognosis*;
* an acute illness with fever or chills has *systemic symptoms*; any other acute problem is
  *acute uncomplicated*; colds, bites and warts are *self-limited*.

Visit reasons, prevention and "status post" lines are not problems addressed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medcoder.documents.model import Section
from medcoder.services import em_level as lv
from medcoder.services import em_terms as terms
from medcoder.services.em_context import NoteContext

AP_KINDS = frozenset({"assessment", "assessment_plan", "impression", "plan", "diagnoses"})
# Sections whose lines can name a problem (a plan's paragraphs only discuss them).
_LIST_KINDS = frozenset({"assessment", "assessment_plan", "impression", "diagnoses"})

# (problem kind, pattern) in the AMA table's own words, most severe first.
AMA_WORDING: tuple[tuple[str, str], ...] = (
    (lv.THREAT_TO_LIFE, r"threat(?:ens?|ening)? to (?:life|bodily function)|life[- ]threatening"),
    (
        lv.CHRONIC_SEVERE_EXACERBATION,
        r"severe (?:exacerbation|progression|side effects?)|severely (?:exacerbated|progressing)",
    ),
    (lv.UNDIAGNOSED_UNCERTAIN, r"undiagnosed new problem|uncertain prognosis"),
    (lv.ACUTE_SYSTEMIC, r"(?:acute )?illness with systemic symptoms"),
    (lv.ACUTE_COMPLICATED_INJURY, r"acute complicated injury|complicated injury"),
    (
        lv.ACUTE_NEEDS_HOSPITAL_CARE,
        r"acute uncomplicated illness requiring (?:hospital|observation)",
    ),
    (lv.STABLE_ACUTE, r"stable acute illness"),
    (
        lv.ACUTE_UNCOMPLICATED,
        r"acute(?:,)? uncomplicated|uncomplicated (?:acute )?(?:illness|injury)",
    ),
    (lv.STABLE_CHRONIC, r"stable chronic"),
    (lv.SELF_LIMITED, r"self[- ]limit(?:ed|ing)|minor problem"),
)
_AMA_RES = [(kind, re.compile(p, re.I)) for kind, p in AMA_WORDING]
# "two stable chronic illnesses" counts as two problems.
COUNTED_CHRONIC = re.compile(r"\b(two|three|four|2|3|4) stable chronic illnesses\b", re.I)
_WORD_NUMBERS = {"two": 2, "three": 3, "four": 4}

_NUMBERED = re.compile(r"^[ \t]*(?:\d{1,2}[.)]|#\d{1,2})[ \t]+")
# A run-together transcription numbers its items after a comma: ",2.  Urinary retention."
_INLINE_NUMBER = re.compile(r"(?<=,)[ \t]*\d{1,2}\.[ \t]+(?=[A-Z])")
_INNER_SENTENCE = re.compile(r"[a-z)][.!?][ \t]+[A-Z]")
_BULLET = re.compile(r"^[ \t]*[-*\u2022\u25cf\u25aa][ \t]*")
_LABEL = re.compile(r"^[^:]{2,40}:\s*\S")  # "Medical Reasoning: ...", "Patient Agreements: ..."
# Paragraphs of an assessment that discuss no problem: agreements, follow-up instructions.
_ADMIN_PARAGRAPH = re.compile(
    r"^\W*(?:\d+[.)]\s*)?(?:patient agreements?|follow[- ]?up|return|call|rtc|instructions?"
    r"|all questions|questions were)\b",
    re.I,
)
_CONTENT = re.compile(r"[a-z][a-z'-]{2,}", re.I)
_STOP = terms.wordset(
    "the and with without his her their for from right left bilateral acute chronic follow "
    "followup up of in on to status post history stable illness type"
)


@dataclass
class Problem:
    """One problem addressed: its title, the text discussing it, and its AMA kind."""

    title: tuple[int, int]
    blocks: list[tuple[int, int]]
    kind: str | None = None
    evidence: tuple[int, int] | None = None  # the words that decided the kind


def _lines(text: str, start: int, end: int) -> list[tuple[int, int, bool]]:
    """Non-empty lines of ``text[start:end]`` as (start, end, starts a paragraph); a
    run-together numbered list is split too."""
    out = []
    pos = start
    after_blank = True
    for line in text[start:end].split("\n"):
        a, b = pos, pos + len(line)
        pos = b + 1
        if not line.strip():
            after_blank = True
            continue
        cuts = [m.start() + a for m in _INLINE_NUMBER.finditer(line)]
        for x, y in zip([a, *cuts], [*cuts, b], strict=True):
            seg = text[x:y].strip(" \t,")
            if seg:
                lead = x + len(text[x:y]) - len(text[x:y].lstrip(" \t,"))
                out.append((lead, lead + len(seg), after_blank or x > a))
        after_blank = False
    return out


def _is_heading(line: str, kind: str, starts_paragraph: bool = True) -> bool:
    """A line naming a problem: numbered or bulleted, or a short paragraph of its own; not a
    label, not a sentence of plan (a short last line of a wrapped paragraph is no heading)."""
    if _NUMBERED.match(line):
        return not terms.NOT_A_PROBLEM.match(_NUMBERED.sub("", line, count=1))
    bare = _BULLET.sub("", line)
    if _LABEL.match(bare) or terms.NOT_A_PROBLEM.match(bare):
        return False
    if kind not in _LIST_KINDS and _BULLET.match(line):
        return False
    if not starts_paragraph and not _BULLET.match(line):
        return False
    n_words = len(bare.split())
    return (
        0 < n_words <= 10
        and len(bare) <= 90
        and bare[:1].isalnum()
        and not _INNER_SENTENCE.search(bare)
    )


def _content_words(text: str) -> set[str]:
    return {w.lower() for w in _CONTENT.findall(text)} - _STOP


def problem_blocks(text: str, sections: list[Section]) -> list[Problem]:
    """The problems an assessment/plan names, each with the text that discusses it."""
    problems: list[Problem] = []
    loose: list[tuple[int, int]] = []  # plan paragraphs: they discuss the problems named
    preamble: list[tuple[int, int]] = []  # summary lines before the first problem heading
    assessed = any(s.kind in _LIST_KINDS for s in sections)
    for section in (s for s in sections if s.kind in AP_KINDS):
        body = section.start if section.header_end is None else section.header_end
        flagged = _lines(text, body, section.end)
        lines = [(a, b) for a, b, _ in flagged]
        starts = {(a, b): p for a, b, p in flagged}
        # Beside an assessment, a plan's numbered items are actions, not problems.
        actions = section.kind == "plan" and assessed
        # One heading style per section: a numbered list's other lines are its details.
        numbered = any(_NUMBERED.match(text[a:b]) for a, b in lines)
        heads = {
            (a, b)
            for a, b in lines
            if _is_heading(text[a:b], section.kind, starts[(a, b)])
            and (not numbered or _NUMBERED.match(text[a:b]))
            and not (actions and numbered)
        }
        headed = bool(heads)
        current: Problem | None = None
        for a, b in lines:
            line = text[a:b]
            if (a, b) in heads:
                current = Problem((a, b), [(a, b)])
                problems.append(current)
                if _BULLET.match(line):  # a diagnosis list item: its text is its own line
                    current = None
            elif current is not None:
                current.blocks.append((a, b))
            elif section.kind in _LIST_KINDS and not headed and not _ADMIN_PARAGRAPH.match(line):
                # A narrative impression: each paragraph is a problem named by its words.
                problems.append(Problem((a, b), [(a, b)]))
            elif section.kind in _LIST_KINDS:
                preamble.append((a, b))
            else:
                loose.append((a, b))
    problems = _merge_same(text, problems)
    for a, b in [*loose, *preamble]:
        words = _content_words(text[a:b])
        matched = [p for p in problems if _content_words(text[slice(*p.title)]) & words]
        if not matched and (a, b) in loose:
            matched = problems[:1]
        for p in matched:
            p.blocks.append((a, b))
    return problems


def _name_words(text: str, problem: Problem) -> set[str]:
    """Content words of a problem's name (its title up to the first comma or period)."""
    title = _BULLET.sub("", _NUMBERED.sub("", text[slice(*problem.title)]))
    return _content_words(re.split(r"[,.;:(]", title, maxsplit=1)[0])


def _merge_same(text: str, problems: list[Problem]) -> list[Problem]:
    """One problem named in ASSESSMENT and again as a PLAN heading is one problem."""
    out: list[Problem] = []
    for p in problems:
        words = _name_words(text, p)
        same = next(
            (
                q
                for q in out
                if words
                and (qw := _name_words(text, q))
                and (len(words & qw) / len(words | qw) >= 0.6 or words <= qw or qw <= words)
            ),
            None,
        )
        if same:
            same.blocks.extend(b for b in p.blocks if b not in same.blocks)
        else:
            out.append(p)
    return out


def _first(
    pattern: re.Pattern[str],
    text: str,
    spans: list[tuple[int, int]],
    ctx: NoteContext,
    *,
    asserted: bool = True,
) -> tuple[int, int] | None:
    """The first match of ``pattern`` in ``spans`` whose assertion is (or is not) asserted."""
    hits = [(m.start(), m.end()) for a, b in spans for m in pattern.finditer(text, a, b)]
    if not hits:
        return None
    keep = ctx.asserted(hits)
    return next((h for h, k in zip(hits, keep, strict=True) if k == asserted), None)


def _outside(hit: tuple[int, int] | None, names: list[tuple[int, int]]) -> bool:
    return hit is not None and all(hit[1] <= a or hit[0] >= b for a, b in names)


def classify(text: str, problem: Problem, ctx: NoteContext) -> None:
    """Set ``problem.kind`` and its evidence (see the module docstring for the order)."""
    spans = problem.blocks
    title = problem.title
    for kind, regex in _AMA_RES:
        hit = _first(regex, text, spans, ctx)
        if hit:
            problem.kind, problem.evidence = kind, hit
            return
    chronic_names = [(m.start(), m.end()) for m in terms.CHRONIC.finditer(text, *title)]
    injury = terms.INJURY.search(text, *title)
    symptom = terms.SYMPTOM.search(text, *title)

    def decide(kind: str, hit: tuple[int, int] | None) -> bool:
        if hit is None:
            return False
        problem.kind, problem.evidence = kind, hit
        return True

    if decide(lv.THREAT_TO_LIFE, _first(terms.THREAT, text, spans, ctx)):
        return
    # A diagnosis its own heading hedges ("Suspected anxiety") is not yet established.
    if not injury and decide(lv.UNDIAGNOSED_UNCERTAIN, _first(terms.UNCERTAIN, text, [title], ctx)):
        return
    if decide(lv.CHRONIC_EXACERBATION, _first(terms.SIDE_EFFECT, text, spans, ctx)):
        return
    if chronic_names:
        if decide(lv.CHRONIC_SEVERE_EXACERBATION, _first(terms.SEVERE, text, spans, ctx)):
            return
        worse = _first(terms.WORSENING, text, spans, ctx)
        if worse and _outside(worse, chronic_names) and decide(lv.CHRONIC_EXACERBATION, worse):
            return
        not_controlled = next(
            (
                (m.start(), m.end())
                for a, b in spans
                for m in terms.CONTROLLED.finditer(text, a, b)
                if ctx.negated_fact(m.start(), m.end())
            ),
            None,
        )
        if decide(lv.CHRONIC_EXACERBATION, not_controlled):
            return
        if decide(lv.CHRONIC_EXACERBATION, _treatment_changed(text, spans, ctx)):
            return
    if injury and decide(
        lv.ACUTE_COMPLICATED_INJURY, _first(terms.COMPLICATED_CARE, text, spans, ctx)
    ):
        return
    if not injury:
        hedge = _first(terms.UNCERTAIN, text, spans, ctx)
        # A hedge in the discussion makes a symptom undiagnosed; beside a named diagnosis it
        # is about the cause ("epicondylitis, likely from overuse"), not the diagnosis.
        if hedge and symptom and decide(lv.UNDIAGNOSED_UNCERTAIN, hedge):
            return
    if not chronic_names and (decide(lv.ACUTE_SYSTEMIC, _first(terms.SYSTEMIC, text, spans, ctx))):
        return
    if chronic_names:
        decide(lv.STABLE_CHRONIC, chronic_names[0])
    elif terms.SELF_LIMITED.search(text, *title):
        decide(lv.SELF_LIMITED, title)
    else:
        decide(lv.ACUTE_UNCOMPLICATED, title)


def _treatment_changed(
    text: str, spans: list[tuple[int, int]], ctx: NoteContext
) -> tuple[int, int] | None:
    """A drug started, added or increased for the problem (its treatment is not at goal)."""
    from medcoder.services.drugs import find_drugs

    for a, b in spans:
        for m in terms.DOSE_CHANGE.finditer(text, a, b):
            end = text.find(".", m.end(), b)
            window_end = b if end < 0 else end
            if find_drugs(text, m.end(), window_end) and ctx.decided(m.start(), m.end()):
                return (m.start(), m.end())
    return None


def count_problems(text: str, problem: Problem) -> int:
    """How many problems one item stands for: "two stable chronic illnesses" is two, and so
    is a heading naming two stable chronic illnesses ("Hypertension and hyperlipidemia")."""
    if problem.kind == lv.STABLE_CHRONIC and COUNTED_CHRONIC.search(text, *problem.title) is None:
        name = re.split(r"[.!?](?:\s|$)", text[slice(*problem.title)], maxsplit=1)[0]
        parts = re.split(r"\band\b|[,/;&]", name)
        named = sum(
            1
            for part in parts
            if any(
                m.group(0).lower() not in ("chronic", "recurrent", "stable")
                for m in terms.CHRONIC.finditer(part)
            )
        )
        if named > 1:
            return min(named, 3)
    m = COUNTED_CHRONIC.search(text, *problem.title) or next(
        (
            COUNTED_CHRONIC.search(text, a, b)
            for a, b in problem.blocks
            if COUNTED_CHRONIC.search(text, a, b)
        ),
        None,
    )
    if not m:
        return 1
    word = m.group(1).lower()
    return _WORD_NUMBERS.get(word) or int(word)
