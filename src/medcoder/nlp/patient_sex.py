"""The patient's sex as the note states it, for index subterms that name it.

The Alphabetic Index splits some conditions by sex ("Hypogonadism, male E29.1; female
E28.39", "Infertility, male N46.9; female N97.9", "Rectocele, female N81.6; male K62.3"). A
coder picks the subterm from the patient's sex, which a note states once, usually in its
opening line ("a 59-year-old male", "Sex: F"), not next to the diagnosis. The pronouns decide
only when they are overwhelmingly one way, as a note about a patient's wife or son mixes them.
"""

from __future__ import annotations

import re

_STATED = re.compile(
    r"\b\d{1,3}(?:[- ](?:year|yr|month|week|day)s?[- ]old|\s*(?:yo|y/o|y\.o\.))"
    r"\s+(?:[a-z]+\s+){0,3}?"
    r"(?P<word>male|female|man|woman|boy|girl|gentleman|lady|gentlemen)\b"
    r"|\b(?:sex|gender)\s*:\s*(?P<code>m|f|male|female)\b",
    re.I,
)
_MALE = frozenset({"male", "man", "boy", "gentleman", "gentlemen", "m"})
_HE = re.compile(r"\b(?:he|him|his|himself)\b", re.I)
_SHE = re.compile(r"\b(?:she|her|hers|herself)\b", re.I)


def patient_sex(text: str) -> str | None:
    """``"male"``, ``"female"`` or None: the first stated sex, else pronouns used 5:1."""
    found = _STATED.search(text[:20_000])
    if found:
        word = (found.group("word") or found.group("code")).lower()
        return "male" if word in _MALE else "female"
    head = text[:20_000]
    he, she = len(_HE.findall(head)), len(_SHE.findall(head))
    if he >= 3 and he >= 5 * she:
        return "male"
    if she >= 3 and she >= 5 * he:
        return "female"
    return None


def context_token(sex: str | None) -> frozenset[str]:
    """The vocabulary's context token for the patient's sex (``sex=male``), if known."""
    return frozenset({f"sex={sex}"}) if sex else frozenset()
