"""A malignancy told as past is coded as its personal history (I.C.2.d, I.C.21.c.4).

"History of basal cell carcinoma, excised", "prostate cancer treated with prostatectomy in
2015": when a primary malignancy has been excised or eradicated and no treatment is directed to
it, a code from category Z85 is used. Which Z85 code is read from the Tabular itself: each Z85
code says which conditions it is the history of ("Conditions classifiable to C44" for Z85.828,
"C51-C63" for the genital organs), and among the codes a range covers, the one whose title
names the neoplasm's site ("prostate" for Z85.46).
"""

from __future__ import annotations

import re
from functools import lru_cache

from medcoder.codesets.icd10cm_pack import ICD10CMPack
from medcoder.codesets.icd10cm_tabular import key_in_range, note_references

_WORDS_NOT_SITES = frozenset(
    {
        "personal",
        "history",
        "malignant",
        "neoplasm",
        "neoplasms",
        "of",
        "other",
        "and",
        "or",
        "the",
        "unspecified",
        "part",
        "parts",
        "site",
        "sites",
        "organ",
        "organs",
        "carcinoma",
    }
)


def is_primary_malignancy(key: str) -> bool:
    """C00-C76, C7A and C81-C96: malignant, primary or of lymphoid and blood-forming tissue
    (C77-C79 are secondary sites, C7B secondary neuroendocrine, C80 unknown site)."""
    key = key.replace(".", "").upper()
    if not key.startswith("C") or key.startswith(("C77", "C78", "C79", "C7B", "C80")):
        return False
    return key[1:3].isdigit() or key.startswith("C7A")


def _words(title: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", title.lower()) if w not in _WORDS_NOT_SITES}


def _width(lo: str, hi: str) -> int:
    """How many three-character categories a range spans (a narrower note is more specific)."""

    def number(key: str) -> int:
        digits = key[1:3]
        return (ord(key[0]) - 65) * 100 + (int(digits) if digits.isdigit() else int(digits[0]) * 10)

    return number(hi) - number(lo)


@lru_cache(maxsize=4096)
def _history_code(pack: ICD10CMPack, key: str) -> str | None:
    title_words = _words(pack.title(key) or "")
    best: tuple[int, int, int, str] | None = None
    for code in pack.billable_keys():
        if not code.startswith("Z85"):
            continue
        widths = [
            _width(lo, hi)
            for note in pack.notes(code, kinds=("inclusionTerm",))
            if "classifiable to" in note.text.lower()
            for lo, hi in note_references(note.text)
            if key_in_range(key, lo, hi)
        ]
        if not widths:
            continue
        own = _words(pack.title(code) or "")
        rank = (min(widths), -len(own & title_words), len(own - title_words), code)
        if best is None or rank < best:
            best = rank
    return best[3] if best else None


def history_code(pack: ICD10CMPack, key: str) -> str | None:
    """The Z85 code of a primary malignancy ``key`` told as past, or None."""
    key = key.replace(".", "").upper()
    if not is_primary_malignancy(key):
        return None
    return _history_code(pack, key)
