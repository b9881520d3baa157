"""Sentence spans of case files: clinical and legal abbreviations never end a sentence.

A case file mixes clinical records with legal text. The shared splitter
(:func:`medcoder.documents.sections.sentences`) already keeps clinical abbreviations (``Dr.``,
``mg.``, ``b.i.d.``) and single initials inside a sentence; court opinions and claim letters add
``Smith v. Jones``, ``La. Ct. App.``, ``123 So. 2d 456``, ``Inc.``, and names written with
dotted initials (``E.A. Conway Medical Center``, ``Dr. J.D. Smith``). A sentence cut after one
of these loses the name or the citation it belongs to, so the shared spans are joined again
where the cut follows such a word. The reverse case, a clock time that does end a sentence
("given at 3 p.m. The nurse called"), is cut where the next word starts a sentence.
"""

from __future__ import annotations

import re

from medcoder.documents.sections import sentences


def _words(text: str) -> frozenset[str]:
    """A word list written as text (one abbreviation per word, without its period)."""
    return frozenset(text.split())


# Words written with a period that do not end a sentence in legal text: reporters and courts
# ("So. 2d", "Ct. App.", "Cir."), state abbreviations of the citation manuals, and the words
# of case names and parties ("v.", "Inc.", "Co.", "ex rel.", "et al.").
LEGAL_ABBREVIATIONS = _words(
    """
    v vs ct app cir dist div supp so f n.e s.e n.w s.w p a cal rptr civ crim prac rem proc code
    ann stat rev gen sess reg admin comm'n bd dep't dept ass'n assoc hosp med univ ctr corp co
    inc ltd l.l.c l.p llc no nos ex rel seq et al op mem cert den aff'd rev'd reh'g pet id
    supra infra sec art ch cl par pp para super juv fam prob sup jud dist.ct bankr fed
    ala ariz ark colo conn del fla ga haw ill ind kan ky la mass md mich minn miss mo mont neb
    nev n.h n.j n.m n.y n.c n.d okla or pa r.i s.c s.d tenn tex vt va wash w.va wis wyo d.c
    u.s s.ct l.ed
    """
)
# Clinical words written with a period that the shared splitter does not list.
CLINICAL_ABBREVIATIONS = _words(
    """
    drs mr mrs ms messrs prof dr st jr sr esq approx est appt dept hosp med surg obs gyn
    q qd qod qh q.h.s h.s gtt gtts sq subq i.v i.m i.d p.r.n n.p.o s.p o.r e.r m.d d.o r.n
    l.p.n c.n.m c.r.n.a p.a a.p.n n.p ph.d b.s.n pharm.d wt ht temp resp
    """
)
# Words that begin a sentence: a dotted acronym before one of these ends its sentence.
SENTENCE_STARTERS = _words(
    """
    the a an he she it they we i his her their this that these those there then on in at
    after before when while during by from following later over at about approximately his
    however although because since no not nothing one two three four five six seven eight
    nine ten dr mr mrs ms nurse plaintiff defendant
    """
)
_LAST_WORD = re.compile(r"([A-Za-z][A-Za-z.'-]*)\.[\"')\]]*$")
_DOTTED = re.compile(r"^(?:[a-z]\.)+[a-z]$")
_TAIL_WORD = re.compile(r"(\w+),?$")
# Words that cannot end a sentence: a line that ends with one continues on the next line.
_CONTINUES = _words(
    "on of the a an and or to with at in for by from that as than into onto upon about after "
    "before during until within without over under per via was were is are had has have be "
    "been his her their its this these"
)
_FIRST_WORD = re.compile(r"[\"'(\[]?([A-Za-z]+)")
_NUMBER = re.compile(r"(\d+)")
# Abbreviations that may end a sentence: clock times, units, "U.S.", "Inc.", "etc.".
_MAY_END = re.compile(
    r"(?<![\w.])(?i:a\.m|p\.m|u\.s|mg|mcg|ml|kg|cc|lbs?|oz|hrs?|min|wks?|yrs?|etc|inc|co|ltd|jr|sr)"
    r"\.(?=[ \t]+[\"'(\[]?([A-Z][a-z]*)\b)"
)
# Never the last word of a sentence: "Smith v. The State", "Dr. The", "No. 12".
_NEVER_FINAL = _words("v vs et ex rel no nos dr drs mr mrs ms messrs prof st")
_MAY_END_WORDS = _words(
    "a.m p.m u.s mg mcg ml kg cc lb lbs oz hr hrs min wk wks yr yrs etc inc co ltd jr sr"
)
# After a clock time or a unit, any capitalised word starts a sentence ("1.5 mg. Patient ...");
# an all-capitals word does not ("5 mg. PO daily").
_MEASURES = _words("a.m p.m mg mcg ml kg cc lb lbs oz hr hrs min wk wks yr yrs")
_MONTHS = _words("jan feb mar apr jun jul aug sep sept oct nov dec")


def _protected(word: str, following: str) -> bool:
    """Whether a period after ``word`` (without its period) is part of the sentence."""
    key = word.lower()
    capitalised = following[:1].isupper() and following[1:].islower() and len(following) > 1
    if key in _MAY_END_WORDS and (
        following.lower() in SENTENCE_STARTERS or (key in _MEASURES and capitalised)
    ):
        return False  # "... moved to the U.S. The ..." ends there
    if key in _NEVER_FINAL:
        return True
    if key in LEGAL_ABBREVIATIONS or key in CLINICAL_ABBREVIATIONS:
        # "La. Ct. App." goes on; "...ordered a CT. It showed" ends (CT is also a scan)
        return following.lower() not in SENTENCE_STARTERS
    if key in _MONTHS:  # "Aug. 3, 1987"
        return following[:1].isdigit()
    if _DOTTED.match(key) or (len(key) == 1 and key.isalpha()):
        return following.lower() not in SENTENCE_STARTERS  # "E.A. Conway", not "U.S. The"
    return False


def _split_after_clock(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Cut "... at 3 p.m. The nurse called." where a time, unit or "Inc." ends a sentence."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        cut = start
        for m in _MAY_END.finditer(text, start, end):
            word = m.group(1)
            measure = m.group(0).lower().rstrip(".") in _MEASURES
            if word.lower() in SENTENCE_STARTERS or (measure and word[1:].islower() and word[1:]):
                out.append((cut, m.end()))
                cut = m.end()
                while cut < end and text[cut] in " \t":
                    cut += 1
        out.append((cut, end))
    return out


def split_sentences(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text``, abbreviations of both trades kept."""
    spans = _split_after_clock(text, [(s.start, s.end) for s in sentences(text)])
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if out:
            prev_start, prev_end = out[-1]
            between = text[prev_end:start]
            tail = _TAIL_WORD.search(text, prev_start, prev_end)
            if (
                between.count("\n") == 1
                and tail is not None
                and (tail.group(1) in _CONTINUES or text[prev_end - 1] == ",")
            ):  # "...pain began on\nMarch 2": a wrapped line, not a new sentence
                out[-1] = (prev_start, end)
                continue
            last = _LAST_WORD.search(text, prev_start, prev_end)
            first = _FIRST_WORD.match(text, start, end) or _NUMBER.match(text, start, end)
            if (
                "\n" not in between
                and last is not None
                and last.end() == prev_end
                and _protected(last.group(1), first.group(1) if first else "")
            ):
                out[-1] = (prev_start, end)
                continue
        out.append((start, end))
    return out
