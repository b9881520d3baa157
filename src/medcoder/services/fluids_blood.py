"""IV fluids and blood products given in an encounter -> HCPCS Level II codes with units.

Notes write these as "1 L normal saline bolus", "NS 500 mL IV x2", "she received 2 units of
PRBCs", "transfused one unit of platelets". The codes are per volume (normal saline J7030 per
1000 cc, J7040 per 500 mL, J7050 per 250 cc; lactated Ringer's J7120 up to 1000 cc; D5W J7070
per 1000 cc, J7060 per 500 mL; D5/NS J7042 per 500 mL) or per unit of blood component (red
cells P9021, leukocyte-reduced P9016, washed P9022, irradiated P9038; plasma frozen within 8
hours P9017; platelets P9019, pheresis leukocyte-reduced P9035; cryoprecipitate P9012; whole
blood P9010). Code numbers are CMS facts; descriptions come from the HCPCS pack.

Only what was given counts: a mention needs an administration word (given, bolus, infused,
received, transfused) and is dropped when negated, planned or in a medication/history list.
What the note leaves open (red cells not said to be leukocyte-reduced, a rate with no volume)
is coded with the plain default and flagged for review.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from medcoder.documents.model import Document
from medcoder.documents.sections import find_sections, sentences
from medcoder.nlp.annotator import context_of
from medcoder.nlp.model import Assertion
from medcoder.services.em_context import NoteContext
from medcoder.suggestions import CodeSuggestion, Evidence

if TYPE_CHECKING:  # the assertion engine (spaCy) loads on first use, not on import
    from medcoder.nlp.context import ContextParse

# fluid -> (pattern, [(mL per unit, code), ...] largest first)
FLUIDS: dict[str, tuple[str, tuple[tuple[int, str], ...]]] = {
    "normal saline": (
        r"normal saline|\bns\b|0\.9 ?% (?:sodium chloride|nacl|saline)|sodium chloride 0\.9 ?%",
        ((1000, "J7030"), (500, "J7040"), (250, "J7050")),
    ),
    "lactated Ringer's": (r"lactated ringer'?s|ringer'?s lactate|\blr\b", ((1000, "J7120"),)),
    "D5/normal saline": (
        r"\bd5 ?(?:/ ?)?ns\b|5 ?% dextrose(?: in| ?/) ?normal saline",
        ((500, "J7042"),),
    ),
    "D5W": (
        r"\bd5w\b|5 ?% dextrose in water|dextrose 5 ?% in water",
        ((1000, "J7070"), (500, "J7060")),
    ),
}
_VOLUME = re.compile(
    r"\b(?P<n>\d+(?:\.\d+)?|a|one|two|three)\s*(?P<u>ml|cc|l|liters?|litres?)\b(?!\s*/\s*h)", re.I
)
_RATE = re.compile(r"\d+\s*(?:ml|cc)\s*/\s*h(?:r|our)?\b|\bat \d+ ?(?:ml|cc)\b", re.I)
_TIMES = re.compile(r"\bx\s?(?P<n>[2-6])\b|\b(?P<w>twice|two boluses|three boluses)\b", re.I)
_GIVEN = re.compile(
    r"\b(?:given|gave|bolus(?:ed)?|infused|received|administered|hung|transfused|transfusion"
    r"|resuscitated|(?:was|were) started)\b",
    re.I,
)
_PLANNED = re.compile(r"\b(?:will|plan(?:s|ned)? to|to be given|consider|if|may|would)\b", re.I)
_SKIP_ROLES = {"medications", "history", "family", "social", "ros"}
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}

_PRODUCT = (
    r"(?P<product>packed red (?:blood )?cells|prbcs?|red (?:blood )?cells|rbcs?|whole blood"
    r"|fresh frozen plasma|ffp|plasma|(?:apheresis |pheresis )?platelets?|cryoprecipitate|cryo"
    r"|blood)"
)
_BLOOD = re.compile(
    r"\b(?P<n>\d+|a|an|one|two|three|four|five|six)\s+(?:units?|u|bags?|pools?|doses?)\s+(?:of\s+)?"
    r"(?:(?P<qual>leuko(?:cyte)?[- ]?reduced|leukoreduced|irradiated|washed|apheresis|pheresis)\s+)?"
    + _PRODUCT,
    re.I,
)


@dataclass(frozen=True)
class _Given:
    code: str
    units: int
    start: int
    end: int
    what: str
    review: str | None = None


def _number(word: str) -> float:
    return float(word) if word[0].isdigit() else float(_NUMBERS.get(word.lower(), 1))


def _blood_code(product: str, qualifiers: str) -> tuple[str, str | None]:
    """The component code and, for a default choice, what to confirm."""
    p, q = product.lower(), qualifiers.lower()
    if p == "whole blood":
        return "P9010", None
    if "platelet" in p:
        if "pheresis" in p or "pheresis" in q:
            return (
                "P9035",
                "pheresis platelets: confirm leukocyte-reduced (P9035) with the blood bank",
            )
        return "P9019", None
    if p.startswith(("cryo",)):
        return "P9012", None
    if "plasma" in p or p == "ffp":
        return "P9017", "plasma frozen within 8 hours assumed (P9017); within 24 hours is P9059"
    if "washed" in q:
        return "P9022", None
    if "irradiated" in q:
        return "P9038", None
    if "leuko" in q:
        return "P9016", None
    return "P9021", (
        "red cells not documented as leukocyte-reduced: P9021 coded; most units are "
        "leukocyte-reduced (P9016) - confirm with the blood bank"
    )


def _fluid_units(volume_ml: float, options: tuple[tuple[int, str], ...]) -> list[tuple[str, int]]:
    """Units by code for a volume, largest unit first ("1500 mL NS" -> J7030 x1, J7040 x1)."""
    if len(options) == 1:
        size, code = options[0]
        return [(code, max(1, math.ceil(volume_ml / size)))]
    out = []
    left = volume_ml
    for size, code in options:
        n = int(left // size)
        if n:
            out.append((code, n))
            left -= n * size
    if left > 0:
        size, code = options[-1]
        out.append((code, math.ceil(left / size)))
    return out


def find_given(
    document: Document, context: ContextParse | None = None
) -> tuple[list[_Given], list[str]]:
    """IV fluids and blood components given in ``document``, and review notes."""
    text = document.text
    sections = document.sections or find_sections(text)
    roles = [(s.start, s.end, s.role) for s in sections]
    ctx = NoteContext(text, context or context_of(document))
    found: list[_Given] = []
    review: list[str] = []
    for sentence in sentences(text, sections):
        a, b = sentence.start, sentence.end
        role = next((r for lo, hi, r in roles if lo <= a < hi), None)
        if role in _SKIP_ROLES or not _GIVEN.search(text, a, b):
            continue
        clause = text[a:b]
        if _PLANNED.search(clause) and not re.search(r"\b(?:was|were|received|given)\b", clause):
            continue
        for m in _BLOOD.finditer(text, a, b):
            if ctx.assertions([m.span()])[0] in (Assertion.NEGATED, Assertion.HYPOTHETICAL):
                continue
            code, note = _blood_code(m.group("product"), m.group("qual") or "")
            n = int(_number(m.group("n")))
            found.append(_Given(code, n, m.start(), m.end(), m.group(0), note))
        for name, (pattern, options) in FLUIDS.items():
            for f in re.finditer(pattern, clause, re.I):
                start, end = a + f.start(), a + f.end()
                if ctx.assertions([(start, end)])[0] in (Assertion.NEGATED, Assertion.HYPOTHETICAL):
                    continue
                window = text[max(a, start - 25) : min(b, end + 25)]
                vol = _VOLUME.search(window)
                if not vol:
                    if _RATE.search(window):
                        review.append(f"{name} at a rate without a total volume: units not coded")
                    continue
                amount = _number(vol.group("n"))
                ml = amount * 1000 if vol.group("u").lower().startswith("l") else amount
                times = _TIMES.search(window)
                if times:
                    ml *= int(times.group("n")) if times.group("n") else 2
                for code, units in _fluid_units(ml, options):
                    found.append(_Given(code, units, start, end, f"{name} {ml:g} mL"))
                break
    return found, review


def _descriptions(codes: set[str], on: date | None) -> tuple[dict[str, str], list[str]]:
    """Descriptions of ``codes`` from the HCPCS pack in force (none without a pack)."""
    from medcoder.codesets import pack_store, registry
    from medcoder.codesets.hcpcs import read_hcpcs
    from medcoder.errors import PackNotFoundError

    try:
        info = registry.choose("hcpcs", on, "HCPCS")
    except PackNotFoundError:
        packs = registry.list_packs("hcpcs")
        if not packs:
            return {}, ["no HCPCS pack: fluid and blood codes given without descriptions"]
        info = packs[-1]
    conn = pack_store.open_pack(info.path)
    try:
        rows = read_hcpcs(conn)
    finally:
        conn.close()
    return {
        c: (rows[c].long_description or rows[c].short_description) for c in codes if c in rows
    }, []


def fluid_blood_suggestions(
    document: Document, *, on: date | None = None, context: ContextParse | None = None
) -> tuple[list[CodeSuggestion], list[str]]:
    """HCPCS codes for the fluids and blood components given, units in the path."""
    given, warnings = find_given(document, context)
    if not given:
        return [], warnings
    descriptions, more = _descriptions({g.code for g in given}, on)
    warnings += more
    by_code: dict[str, list[_Given]] = {}
    for g in given:
        by_code.setdefault(g.code, []).append(g)
    out = []
    for code, items in by_code.items():
        units = sum(g.units for g in items)
        path = [f"given: {g.what}" for g in items] + [f"units: {units}"]
        reviews = sorted({g.review for g in items if g.review})
        warnings += [f"{code}: {r}" for r in reviews]
        out.append(
            CodeSuggestion(
                "HCPCS",
                code,
                descriptions.get(code, ""),
                0.6 if reviews else 0.85,
                evidence=[
                    Evidence(
                        document.id,
                        g.start,
                        g.end,
                        document.text[g.start : g.end],
                        (document.section_at(g.start).kind if document.section_at(g.start) else ""),
                    )
                    for g in items
                ],
                path=path + reviews,
            )
        )
    return out, warnings
