"""Is this text English? The engine's vocabulary is English: other languages are reported.

A stop-word vote is enough to tell English from the languages clinical text usually arrives in
(Spanish, French, Portuguese, German, Italian), costs microseconds and needs no model.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
STOPWORDS = {
    "en": set(
        [
            "the",
            "of",
            "and",
            "to",
            "in",
            "is",
            "was",
            "with",
            "for",
            "on",
            "that",
            "by",
            "at",
            "from",
            "as",
            "are",
            "be",
            "this",
            "were",
            "has",
            "had",
            "not",
            "or",
        ]
    ),
    "es": set(
        [
            "el",
            "la",
            "de",
            "que",
            "y",
            "en",
            "los",
            "del",
            "se",
            "las",
            "por",
            "un",
            "una",
            "con",
            "para",
            "es",
            "al",
            "lo",
            "como",
            "más",
            "pero",
            "sus",
            "le",
            "ha",
        ]
    ),
    "fr": set(
        [
            "le",
            "la",
            "les",
            "de",
            "des",
            "et",
            "en",
            "du",
            "un",
            "une",
            "est",
            "pour",
            "dans",
            "que",
            "qui",
            "sur",
            "au",
            "avec",
            "pas",
            "ce",
            "par",
        ]
    ),
    "pt": set(
        [
            "o",
            "a",
            "os",
            "as",
            "de",
            "do",
            "da",
            "dos",
            "das",
            "e",
            "em",
            "um",
            "uma",
            "para",
            "com",
            "não",
            "que",
            "por",
            "se",
            "na",
            "no",
            "é",
            "ao",
        ]
    ),
    "de": set(
        [
            "der",
            "die",
            "das",
            "und",
            "in",
            "zu",
            "den",
            "von",
            "mit",
            "ist",
            "des",
            "sich",
            "auf",
            "für",
            "nicht",
            "ein",
            "eine",
            "dem",
            "im",
        ]
    ),
    "it": set(
        [
            "il",
            "di",
            "che",
            "e",
            "la",
            "per",
            "un",
            "in",
            "è",
            "non",
            "una",
            "del",
            "della",
            "le",
            "con",
            "si",
            "da",
            "al",
            "sono",
            "gli",
        ]
    ),
}
NAMES = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "pt": "Portuguese",
    "de": "German",
    "it": "Italian",
}


def detect_language(text: str, *, sample: int = 20_000) -> str | None:
    """ISO 639-1 code of the likeliest language, or None when there are too few words."""
    words = [w.lower() for w in _WORD.findall(text[:sample])]
    if len(words) < 8:
        return None
    votes = {lang: sum(1 for w in words if w in stop) for lang, stop in STOPWORDS.items()}
    lang, best = max(votes.items(), key=lambda kv: kv[1])
    if best < max(2, len(words) // 50):
        return None
    return lang
