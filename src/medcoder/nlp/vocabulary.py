"""The concept vocabulary: every phrase a coder would recognise, with the code it leads to.

Built from the knowledge packs: tabular titles and inclusion terms (and the Alphabetic Index
when installed, see :mod:`medcoder.nlp.index_vocabulary`). Titles are rewritten the way a
coder reads them: nonessential words in parentheses are optional, "unspecified"/"NOS" segments
are what the documentation leaves out, and "Other ..." titles are never reached by their title
alone (they need the index: guideline I.A.9.a).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from medcoder.nlp.tokens import STOPWORDS, TITLE_FILLER, content_tokens

_PAREN = re.compile(r"\s*\([^)]*\)")
_NOT_ELSEWHERE = re.compile(r",?\s*(not elsewhere classified|NEC)\b", re.I)
_WITHOUT = re.compile(r",?\s*without\b.*$", re.I)


class Entry(NamedTuple):
    """One phrase of the vocabulary (a named tuple: the cache stores plain tuples)."""

    tokens: tuple[str, ...]  # normalised content words, in phrase order
    code: str  # storage key (E1122)
    source: str  # title, inclusion, index, lexicon, learned
    text: str  # the phrase as written in its source
    rank: int  # lower is preferred when several codes share the same words
    also: tuple[str, ...] = ()  # codes reported with it (index manifestation codes, I.A.13)


def title_variants(title: str, *, split: bool = True) -> Iterator[tuple[str, int]]:
    """Phrases a title may be documented as, with a rank (0 = as written)."""
    base = _NOT_ELSEWHERE.sub("", title)
    yield base, 0
    if not split:
        return
    no_paren = _PAREN.sub("", base)
    if no_paren != base:
        yield no_paren, 1
    parts = re.split(r",\s*", no_paren)
    kept = parts[:1] + [s for s in parts[1:] if not re.search(r"\bunspecified\b|\bNOS\b", s, re.I)]
    if len(kept) < len(parts):
        yield ", ".join(kept), 1
    without = _WITHOUT.sub("", no_paren)
    if without != no_paren and without:
        yield without, 2


def title_entries(code: str, title: str, source: str = "title") -> list[Entry]:
    if re.match(r"^\s*other\b", title, re.I) and source == "title":
        return []
    out: dict[tuple[str, ...], Entry] = {}
    for phrase, rank in title_variants(title, split=source == "title"):
        tokens = tuple(t for t in content_tokens(phrase) if t not in TITLE_FILLER)
        if not tokens or tokens in out:
            continue
        if " unspecified" in title.lower() or title.lower().startswith("unspecified"):
            rank -= 1  # the default code for these words (I.A.9.b)
        out[tokens] = Entry(tokens, code, source, phrase, rank + len(code))
    return list(out.values())


class Vocabulary:
    """Phrases keyed by their rarest word, so a sentence only checks phrases it could hold."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        best: dict[tuple[str, ...], Entry] = {}
        for entry in entries:
            held = best.get(entry.tokens)
            if held is None or (entry.rank, entry.code) < (held.rank, held.code):
                best[entry.tokens] = entry
        self.entries: list[Entry] = list(best.values())
        frequency = Counter(t for e in self.entries for t in set(e.tokens))
        self.by_key: dict[str, list[Entry]] = defaultdict(list)
        for entry in self.entries:
            # A context token ("sex=male") is no word of the sentence: never a bucket key.
            words = [t for t in entry.tokens if "=" not in t] or list(entry.tokens)
            key = min(words, key=lambda t: (frequency[t], t))
            self.by_key[key].append(entry)
        self.frequency = frequency

    def __len__(self) -> int:
        return len(self.entries)

    def to_plain(self) -> tuple:
        """Plain tuples and dicts only, for a fast ``marshal`` cache."""
        index = {id(e): i for i, e in enumerate(self.entries)}
        return (
            [tuple(e) for e in self.entries],
            {k: [index[id(e)] for e in v] for k, v in self.by_key.items()},
            dict(self.frequency),
        )

    @classmethod
    def from_plain(cls, plain: tuple) -> Vocabulary:
        """Rebuild from :meth:`to_plain`; entries become :class:`Entry` only when a sentence
        first needs their bucket, so a short note does not pay for the whole vocabulary."""
        entries_raw, by_key_raw, frequency = plain
        vocabulary = cls.__new__(cls)
        vocabulary.entries = _LazyEntries(entries_raw)
        vocabulary.by_key = _LazyBuckets(by_key_raw, vocabulary.entries)
        vocabulary.frequency = Counter(frequency)
        return vocabulary


class _LazyEntries(list):
    """A list of plain tuples that hands out :class:`Entry` objects."""

    def __getitem__(self, i):  # noqa: ANN001, ANN204
        item = super().__getitem__(i)
        return item if isinstance(item, Entry) else Entry._make(item)

    def __iter__(self):  # noqa: ANN204
        return (Entry._make(e) if not isinstance(e, Entry) else e for e in super().__iter__())


class _LazyBuckets(dict):
    """Phrase buckets by key word, converted to entries on first use."""

    def __init__(self, raw: dict[str, list[int]], entries: list) -> None:
        super().__init__()
        self._raw = raw
        self._entries = entries

    def get(self, key: str, default=None):  # noqa: ANN001, ANN201
        if key in self:
            return self[key]
        indices = self._raw.get(key)
        if indices is None:
            return default
        bucket = [self._entries[i] for i in indices]
        self[key] = bucket
        return bucket


def tabular_entries(rows: Iterable[tuple[str, str, str]]) -> Iterator[Entry]:
    """Entries from ``(key, text, source)`` rows of a tabular pack's search table."""
    for key, text, source in rows:
        if source == "inclusion":
            yield from title_entries(key, text, "inclusion")
        else:
            yield from title_entries(key, text, "title")


def is_meaningful(tokens: tuple[str, ...]) -> bool:
    return any(t not in STOPWORDS and not t.isdigit() for t in tokens)
