"""Clinical abbreviations and synonyms, mapped to the condition names ICD-10-CM indexes.

Notes say "HTN", "CHF", "s/p CABG"; the ICD-10-CM index says "hypertension", "failure, heart,
congestive". The dictionary matcher looks names up by expansion. Rows live in
``data/abbreviations.tsv`` (abbreviation, expansion, kind, case_sensitive, ambiguous) so
coders can extend them without touching code. Case-sensitive rows ("PE", "MS", "AS") match
only as written, because their lower-case forms are English words; ambiguous rows are kept
but :func:`expand_text` skips them unless asked, since "PE" may be pulmonary embolism or a
physical exam and only the surrounding context can tell.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from medcoder.errors import SourceFileError

DEFAULT_PATH = Path(__file__).parent / "data" / "abbreviations.tsv"
_KINDS = frozenset({"condition", "symptom", "procedure", "drug", "finding", "device", "anatomy"})
_FLAGS = {"y": True, "n": False}


@dataclass(frozen=True, slots=True)
class LexiconEntry:
    abbreviation: str
    expansion: str
    kind: str
    case_sensitive: bool
    ambiguous: bool


@dataclass(frozen=True, slots=True)
class LexiconMatch:
    start: int
    end: int
    entry: LexiconEntry


_RUN = re.compile(r"[\w/-]+")


class Lexicon:
    """Abbreviation lookup plus a single compiled regex to find them in text."""

    def __init__(self, entries: list[LexiconEntry]) -> None:
        self.entries = entries
        self._exact: dict[str, list[LexiconEntry]] = {}
        self._folded: dict[str, list[LexiconEntry]] = {}
        for entry in entries:
            if entry.case_sensitive:
                self._exact.setdefault(entry.abbreviation, []).append(entry)
            else:
                self._folded.setdefault(entry.abbreviation.lower(), []).append(entry)
        forms = sorted({e.abbreviation for e in entries}, key=len, reverse=True)
        # A one-word form is a whole run of [\w/-] ("HTN", "s/p"): found by a dictionary lookup
        # of each run. The others ("C. diff", "a fib") by one alternation, longest first,
        # bounded by non-word characters on both sides.
        self._words = {f.lower() for f in forms if _RUN.fullmatch(f)}
        phrases = [f for f in forms if not _RUN.fullmatch(f)]
        self._regex = (
            re.compile(
                r"(?<![\w/-])(?:" + "|".join(re.escape(f) for f in phrases) + r")(?![\w/-])",
                re.IGNORECASE,
            )
            if phrases
            else None
        )

    @classmethod
    def load(cls, path: str | Path | None = None) -> Lexicon:
        """The lexicon at ``path`` (default: the packaged one), parsed once per process."""
        return _load(Path(path) if path is not None else DEFAULT_PATH)

    def lookup(self, token: str) -> list[LexiconEntry]:
        """Entries whose abbreviation is ``token`` (case-sensitive rows only as written)."""
        return self._exact.get(token, []) + self._folded.get(token.lower(), [])

    def expansions(self, token: str) -> list[str]:
        """Expansions of ``token``, e.g. ``["hypertension"]`` for "HTN"; empty if unknown."""
        return list(dict.fromkeys(e.expansion for e in self.lookup(token)))

    def find(self, text: str) -> list[LexiconMatch]:
        """Every abbreviation occurrence on word boundaries, one match per entry; where a
        phrase and a word overlap ("a fib" and "fib"), the phrase."""
        spans = (
            [(m.start(), m.end(), m.group()) for m in self._regex.finditer(text)]
            if (self._regex is not None)
            else []
        )
        taken = [(a, b) for a, b, _ in spans]
        words = self._words
        for m in _RUN.finditer(text):
            if m.group().lower() in words and not any(
                a < m.end() and m.start() < b for a, b in taken
            ):
                spans.append((m.start(), m.end(), m.group()))
        spans.sort()
        return [
            LexiconMatch(start, end, entry)
            for start, end, form in spans
            for entry in self.lookup(form)
        ]

    def expand_text(
        self, text: str, *, include_ambiguous: bool = False
    ) -> list[tuple[int, int, str]]:
        """``(start, end, expansion)`` for each abbreviation in ``text``.

        Ambiguous abbreviations are left out unless ``include_ambiguous``; then each of their
        readings is returned and the caller must decide from context.
        """
        return [
            (m.start, m.end, m.entry.expansion)
            for m in self.find(text)
            if include_ambiguous or not m.entry.ambiguous
        ]


@lru_cache(maxsize=4)
def _load(path: Path) -> Lexicon:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise SourceFileError(path, f"cannot read lexicon: {exc.strerror or exc}") from exc
    entries: list[LexiconEntry] = []
    rows = csv.reader((ln for ln in lines if ln and not ln.startswith("#")), delimiter="\t")
    header = next(rows, None)
    if header != ["abbreviation", "expansion", "kind", "case_sensitive", "ambiguous"]:
        raise SourceFileError(path, f"unexpected header {header!r}")
    for number, row in enumerate(rows, start=2):
        if len(row) != 5:
            raise SourceFileError(path, f"expected 5 columns, got {len(row)}", line=number)
        abbreviation, expansion, kind, case_sensitive, ambiguous = (c.strip() for c in row)
        if kind not in _KINDS or case_sensitive not in _FLAGS or ambiguous not in _FLAGS:
            raise SourceFileError(path, f"bad kind or y/n flag in {row!r}", line=number)
        entries.append(
            LexiconEntry(abbreviation, expansion, kind, _FLAGS[case_sensitive], _FLAGS[ambiguous])
        )
    return Lexicon(entries)


def expand_text(text: str, *, include_ambiguous: bool = False) -> list[tuple[int, int, str]]:
    """:meth:`Lexicon.expand_text` with the packaged lexicon."""
    return Lexicon.load().expand_text(text, include_ambiguous=include_ambiguous)
