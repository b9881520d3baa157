"""Drug administrations in a note -> HCPCS drug codes (J/Q) with billing units.

The drug-name index is built from the HCPCS pack's own descriptors ("Injection, ceftriaxone
sodium, per 250 mg" -> ceftriaxone, qualified by "sodium"), so a new release brings its new
drugs without a hand-kept list. Only a short brand-name table is data here.

A drug code is billed for what was *given* in the encounter, so a mention counts only with a
dose and either an administration verb or a parenteral route, and never when it is negated,
planned, prescribed, or sits in a medication list or history section. Whatever cannot be
decided from the note (which salt, which route, units needing a concentration) is returned
flagged for review with the reason, never as a confident code.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, Decimal
from typing import TYPE_CHECKING

from medcoder.codesets import pack_store, registry
from medcoder.codesets.hcpcs import HcpcsCode, dosage_descriptor, read_hcpcs
from medcoder.documents.model import Document
from medcoder.documents.sections import find_sections, sentences
from medcoder.nlp.annotator import context_of
from medcoder.nlp.model import Assertion
from medcoder.services.drug_units import UnitsResult, billing_units
from medcoder.suggestions import CodeSuggestion, Evidence

if TYPE_CHECKING:  # the assertion engine (spaCy) loads on first use, not on import
    from medcoder.nlp.context import ContextParse


def _wordset(text: str) -> frozenset[str]:
    """A word table written as prose-width text (one long list would be unreadable)."""
    return frozenset(text.split())


# --- the drug-name index --------------------------------------------------------------------

# Words of a descriptor that name no drug: forms, routes, dose words, boilerplate.
_GENERIC = _wordset(
    "injection inj infusion infus oral inhalation solution sterile powder capsule capsules "
    "tablet tablets suspension per up to over not otherwise specified classified nos noc "
    "biosimilar excludes includes for use with without and the of in as via dose doses vial "
    "single multi unit units intravenous intramuscular subcutaneous topical ophthalmic "
    "fda approved prescription anti-emetic antiemetic drug drugs therapeutic non "
    "chemotherapeutic concentrate formulation administered through dme each normal "
    "vitamin compounded unclassified code may used when self under direct supervision "
    "physician medicare which is be than less greater mg mcg ml cc gram grams meq million "
    "complete substitute at time chemotherapy treatment exceed hour dosage regimen "
    "lock flush free preservative extended release liposomal emulsion percent microgram "
    "administration technique push visit other only "
    "micrograms irrigation implant insert intraocular intravitreal lacrimal"
)
# Salts and esters: they qualify a drug (methylprednisolone *acetate* vs *sodium succinate*).
_SALTS = _wordset(
    "sodium potassium hydrochloride hcl acetate sulfate phosphate succinate tromethamine "
    "citrate bromide maleate mesylate dimesylate tartrate bitartrate dihydrate monohydrate "
    "trihydrate lactate acetonide hexacetonide diacetate cypionate enanthate valerate "
    "decanoate palmitate propionate dipropionate besylate fumarate gluconate chloride "
    "disodium anhydrous lactobionate estolate ethylsuccinate stearate pamoate edisylate "
    "hyclate"
)
# Brand names seen in notes -> (generic word, qualifiers they imply). Facts, not descriptors.
BRANDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "rocephin": ("ceftriaxone", ()),
    "zofran": ("ondansetron", ()),
    "toradol": ("ketorolac", ()),
    "solu-medrol": ("methylprednisolone", ("sodium", "succinate")),
    "depo-medrol": ("methylprednisolone", ("acetate",)),
    "decadron": ("dexamethasone", ("sodium", "phosphate")),
    "kenalog": ("triamcinolone", ("acetonide",)),
    "solu-cortef": ("hydrocortisone", ("sodium", "succinate")),
    "benadryl": ("diphenhydramine", ()),
    "phenergan": ("promethazine", ()),
    "compazine": ("prochlorperazine", ()),
    "reglan": ("metoclopramide", ()),
    "dilaudid": ("hydromorphone", ()),
    "ancef": ("cefazolin", ()),
    "lovenox": ("enoxaparin", ()),
    "narcan": ("naloxone", ()),
    "ativan": ("lorazepam", ()),
    "depo-provera": ("medroxyprogesterone", ("acetate",)),
    "bicillin": ("penicillin", ()),
    "celestone": ("betamethasone", ("acetate", "phosphate")),
    "xylocaine": ("lidocaine", ()),
}
# Local anesthetics injected with a procedure are part of it (not separately reported);
# only an intravenous dose (lidocaine for an arrhythmia) is a drug line.
LOCAL_ANESTHETICS = frozenset(
    {"lidocaine", "xylocaine", "bupivacaine", "marcaine", "sensorcaine", "ropivacaine",
     "naropin", "mepivacaine", "carbocaine", "procaine", "tetracaine", "chloroprocaine"}
)  # fmt: skip
# CMS short descriptors abbreviate ("Inj, methylpred sod succ 5mg"); index words that are a
# prefix of a documented drug name of 6+ letters match it too.
_ABBREVIATIONS = {
    "sod": "sodium",
    "succ": "succinate",
    "acet": "acetate",
    "phos": "phosphate",
    "sulf": "sulfate",
}
_MIN_PREFIX = 6
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_DOSE_WORD = re.compile(r"^\d[\d,.]*$|^\d+(?:mg|mcg|ml|cc|g)$")


def _words(text: str) -> list[str]:
    """Lower-case words, hyphens kept ("infliximab-dyyb"), "b-12" folded to "b12"."""
    words = (re.sub(r"^([a-z])-(\d+)$", r"\1\2", w) for w in _WORD.findall(text.lower()))
    return [_ABBREVIATIONS.get(w, w) for w in words]


def descriptor_route(text: str) -> str:
    """Route a descriptor implies: oral (J8xxx, Q0162), inhalation, local (eye, implant...),
    else parenteral."""
    low = text.lower()
    if re.search(r"\boral\b", low):
        return "oral"
    if re.search(r"\binhalation\b", low):
        return "inhalation"
    if re.search(_LOCAL, low):
        return "local"
    return "parenteral"


_LOCAL = (
    r"\b(?:implant|insert|intraocular|intravitreal|ophthalmic|irrigation|otic|topical|vaginal"
    r"|rectal|patch|transdermal|intrauterine|intravesical)\b"
)


@dataclass(frozen=True)
class DrugEntry:
    """One J/Q code as the index reads its descriptor."""

    code: HcpcsCode
    name: str  # normalised drug segment, salts included: groups codes of one product
    words: frozenset[str]  # any of these names the drug
    qualifiers: frozenset[str]  # salts named in the descriptor
    special: frozenset[str]  # parenthesised qualifiers ("lock flush"): must be documented
    required: frozenset[str]  # a combination product: every one of these must be documented
    route: str
    descriptor: str  # text the dose per unit is read from
    descriptor_note: str = ""  # where that text came from, when not this pack's long text


def parse_entry(code: HcpcsCode, descriptor: str, note: str = "") -> DrugEntry | None:
    """Name, qualifiers and route of one drug code; None when it names no drug (J3490)."""
    text = descriptor or code.short_description
    if re.match(r"\s*(?:chemotherapy |drug )?administration\b", text, re.I):
        return None  # a service (administering), not a drug
    parens = re.findall(r"\(([^)]*)\)", text)
    main = re.sub(r"\([^)]*\)", " ", text)
    drugs: set[str] = set()
    salts: set[str] = set()
    name_parts: list[str] = []
    required: set[str] = set()
    for segment in re.split(r"[,;]", main):
        words = [w for w in _words(segment) if not _DOSE_WORD.match(w) and len(w) > 2]
        kept = [w for w in words if w not in _GENERIC]
        found = [w for w in kept if w not in _SALTS] or kept
        if found:
            parts = [_words(p) for p in re.split(r"\band\b|/|&|\bwith\b", segment.lower())]
            heads = [next((w for w in p if w in found), None) for p in parts]
            if not name_parts and len([h for h in heads if h]) > 1:
                required.update(h for h in heads if h)
            drugs.update(found)
            salts.update(w for w in kept if w in _SALTS and w not in found)
            name_parts.append(" ".join(kept))
    special: set[str] = set()
    for paren in parens:
        words = [w for w in _words(paren) if w not in _GENERIC and len(w) > 2]
        if len(words) == 1 and words[0] not in drugs:
            drugs.add(words[0])  # a brand: "(inflectra)"
        elif 1 < len(words) <= 4:
            special.update(w for w in words if w not in drugs)
    if not drugs:
        return None
    if dosage_descriptor(text) is None and dosage_descriptor(", " + text):
        # "Ondansetron 1 mg, oral, ...": the dose is in the first segment, which the
        # descriptor reader skips because there it is usually the word "Injection".
        text = ", " + text
    return DrugEntry(
        code,
        " ".join(name_parts),
        frozenset(drugs),
        frozenset(salts),
        frozenset(special),
        frozenset(required),
        descriptor_route(text),
        text,
        note,
    )


@dataclass
class DrugIndex:
    """Drug word -> codes, from one HCPCS pack (plus older long descriptors it lacks)."""

    version: str
    entries: dict[str, DrugEntry] = field(default_factory=dict)
    by_word: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def build(
        cls,
        codes: dict[str, HcpcsCode],
        version: str = "",
        older_long: dict[str, tuple[str, str]] | None = None,
    ) -> DrugIndex:
        """``older_long``: code -> (long descriptor, version) from other packs, used when
        this pack has short descriptors only (the quarterly CSV)."""
        index = cls(version)
        for code in sorted(codes.values(), key=lambda c: c.code):
            if code.is_modifier or code.code[0] not in "JQ":
                continue
            text, note = code.long_description, ""
            if not text and older_long and code.code in older_long:
                text, older = older_long[code.code]
                note = f"units read from the HCPCS {older} long descriptor ({version} has none)"
            entry = parse_entry(code, text, note)
            if entry:
                index.entries[code.code] = entry
                for word in entry.words:
                    index.by_word[word].append(code.code)
        return index

    def lookup(self, word: str) -> set[str]:
        """Codes naming ``word``, or an abbreviation of it ("methylpred")."""
        codes = set(self.by_word.get(word, ()))
        for n in range(_MIN_PREFIX, len(word)):
            codes.update(self.by_word.get(word[:n], ()))
        return codes


_INDEX_CACHE: dict[tuple, DrugIndex] = {}


def load_index(on: date | None) -> tuple[DrugIndex | None, list[str]]:
    """The index of the HCPCS pack in force on ``on`` (cached per set of pack files)."""
    packs = registry.list_packs("hcpcs")
    if not packs:
        return None, ["no HCPCS pack: drug codes not suggested (run `medcoder data import`)"]
    # the pack in force, else the nearest installed with a warning naming it (never refuse)
    resolved = registry.resolve("hcpcs", on, "HCPCS")
    chosen = resolved.info
    warnings = [resolved.warning] if resolved.warning else []
    key = (chosen.path, *((p.path, p.path.stat().st_mtime_ns) for p in packs))
    if key not in _INDEX_CACHE:
        older: dict[str, tuple[str, str]] = {}
        for info in reversed(packs):
            if info.path == chosen.path:
                continue
            conn = pack_store.open_pack(info.path)
            try:
                for code, row in read_hcpcs(conn).items():
                    if row.long_description and code[0] in "JQ":
                        older.setdefault(code, (row.long_description, info.version))
            finally:
                conn.close()
        conn = pack_store.open_pack(chosen.path)
        try:
            codes = read_hcpcs(conn)
        finally:
            conn.close()
        _INDEX_CACHE.clear()
        _INDEX_CACHE[key] = DrugIndex.build(codes, chosen.version, older)
    return _INDEX_CACHE[key], warnings


# --- finding administrations ----------------------------------------------------------------

_UNIT = r"mg|mcg|µg|ug|gm|grams?|g|milligrams?|micrograms?|million units|units?|iu|meq|ml|cc"
_DOSE = re.compile(rf"(?<![\w.])(\d[\d,]*(?:\.\d+)?|\.\d+)\s*({_UNIT})\b(?!\s*/)", re.I)
_CONC = re.compile(rf"\d[\d,]*(?:\.\d+)?\s*(?:{_UNIT})\s*/\s*(?:\d[\d,.]*\s*)?(?:ml|cc)\b", re.I)
_ROUTES = (
    (
        "parenteral",
        r"iv push|ivp|ivpb|iv piggyback|iv|intravenous(?:ly)?|im|intramuscular(?:ly)?|sq|subq"
        r"|sub-q|sc|subcut(?:aneous(?:ly)?)?|intradermal|intra-articular|intralesional"
        r"|injection|injected|infusion|infused|intravitreal",
    ),
    ("oral", r"po|p\.o\.|by mouth|oral(?:ly)?"),
    ("inhalation", r"neb(?:ulized|ulizer)?|inhaled|inhalation"),
)
_ROUTE = re.compile("|".join(rf"(?P<{k}>\b(?:{p})\b)" for k, p in _ROUTES), re.I)
_GIVEN = re.compile(
    r"\b(?:given|gave|administered|received|injected|infused|pushed|instilled|bolus)\b", re.I
)
_NOT_GIVEN = re.compile(
    r"\b(?:not (?:given|administered|received)|held|withheld|declined|refused|deferred"
    r"|discontinued|cancel(?:l)?ed)\b",
    re.I,
)
_PLANNED = re.compile(
    r"\b(?:will|plan(?:s|ned)? to|planning|to be given|consider(?:ing)?|recommend(?:ed)?"
    r"|may|would|should|if|scheduled|next visit|return for)\b",
    re.I,
)
_DONE = re.compile(r"\b(?:was|were|gave|received|has been|had been|today)\b", re.I)
_PRESCRIBED = re.compile(
    r"\b(?:q\s?\d+\s?h(?:rs?|ours)?|every \d+ hours|daily|bid|tid|qid|qhs|prn|nightly|weekly"
    r"|for \d+ days|x\s?\d+\s?days|prescribed|prescription|rx|dispense|refills?|take|taking"
    r"|home (?:med|medication)s?|discharged? (?:home )?(?:on|with))\b",
    re.I,
)
_DILUENT = re.compile(r"\b(?:in|diluted in|mixed (?:in|with)|with)\s*$", re.I)
_SKIP_ROLES = {"medications", "history", "family", "social", "other", "ros"}


@dataclass
class Administration:
    """A documented drug given in the encounter, as read from one clause of the note."""

    drug: str  # the word as written
    start: int
    end: int
    dose: str  # "1 g"
    dose_span: tuple[int, int]
    route: str | None  # parenteral, oral, inhalation
    route_text: str | None
    route_span: tuple[int, int] | None
    qualifiers: frozenset[str]  # salt words and brands read around the drug
    concentration: str | None = None
    section: str | None = None
    context: frozenset[str] = frozenset()  # words of the sentence (combination products)


def _drug_hits(text: str, lo: int, hi: int, index: DrugIndex) -> list[tuple[int, int, str, str]]:
    """(start, end, as written, index word) of each drug word in ``text[lo:hi]``."""
    hits = []
    for m in _WORD.finditer(text.lower(), lo, hi):
        word = _words(m.group())[0] if _words(m.group()) else m.group()
        generic = BRANDS.get(word, (word, ()))[0]
        if word not in _SALTS and len(word) > 2 and index.lookup(generic):
            hits.append((m.start(), m.end(), text[m.start() : m.end()], word))
    return hits


def find_administrations(
    document: Document, index: DrugIndex, context: ContextParse | None = None
) -> tuple[list[Administration], list[str]]:
    """Administrations in ``document`` and, for the rest, why each mention was not coded."""
    text = document.text
    sections = document.sections or find_sections(text)
    roles = [(s.start, s.end, s.role) for s in sections]
    found: list[Administration] = []
    skipped: list[str] = []
    candidates: list[tuple[Administration, tuple[int, int], str]] = []
    for sentence in sentences(text, sections):
        s, e = sentence.start, sentence.end
        hits = _drug_hits(text, s, e, index)
        for i, (start, end, written, word) in enumerate(hits):
            lo = hits[i - 1][1] if i else s
            hi = hits[i + 1][0] if i + 1 < len(hits) else e
            after = _DOSE.search(text, end, min(hi, end + 30))
            before = [m for m in _DOSE.finditer(text, max(lo, start - 25), start)]
            # "1.0 cc of Celestone and 0.5 cc of lidocaine": the dose written before with "of"
            # belongs to this drug; the one after belongs to the next.
            of_before = before[-1] if before and "of" in text[before[-1].end() : start] else None
            dose = of_before or after
            if dose is None:
                continue
            if _DILUENT.search(text[max(lo, start - 15) : start]):
                continue  # the diluent of another drug, not billed by itself
            routes = list(_ROUTE.finditer(text, lo, hi)) or list(_ROUTE.finditer(text, s, e))
            route = min(routes, key=lambda r: abs(r.start() - dose.end()), default=None)
            generic, implied = BRANDS.get(word, (word, ()))
            clause = text[lo:hi]
            quals = {w for w in _words(clause) if w in _SALTS} | set(implied)
            conc = _CONC.search(text, lo, hi)
            admin = Administration(
                written,
                start,
                end,
                text[dose.start() : dose.end()],
                (dose.start(), dose.end()),
                route.lastgroup if route else None,
                route.group() if route else None,
                route.span() if route else None,
                frozenset(quals | {generic}),
                conc.group() if conc else None,
                sentence.section,
                frozenset(_words(text[s:e])) | {generic},
            )
            candidates.append((admin, (lo, hi), text[s:e]))
    context = context or context_of(document)
    results = context.assertions([(a.start, a.end) for a, _, _ in candidates])
    for (admin, (lo, hi), sent), ctx in zip(candidates, results, strict=True):
        clause = text[lo:hi]
        role = next((r for a, b, r in roles if a <= admin.start < b), None)
        given = bool(_GIVEN.search(clause) or _GIVEN.search(sent))
        why = None
        if ctx.assertion in (Assertion.NEGATED, Assertion.RULED_OUT) or _NOT_GIVEN.search(clause):
            why = "negated"
        elif role in _SKIP_ROLES:
            why = f"in a {admin.section} section"
        elif ctx.assertion in (Assertion.HYPOTHETICAL, Assertion.FAMILY, Assertion.HISTORICAL):
            why = ctx.assertion.value
        elif _PLANNED.search(clause) and not _DONE.search(clause):
            why = "planned"
        elif role == "plan" and not given:
            why = "planned (plan section)"
        elif _PRESCRIBED.search(clause) and not given:
            why = "prescribed, not administered"
        elif not given and admin.route != "parenteral":
            why = "no administration verb or parenteral route"
        if (
            not why
            and admin.drug.lower() in LOCAL_ANESTHETICS
            and not re.search(
                r"\b(?:iv|intravenous(?:ly)?|iv push|bolus|drip|infusion)\b", sent, re.I
            )
        ):
            why = "local anesthetic, part of the procedure"
        if why:
            skipped.append(f"{admin.drug} {admin.dose}: not coded ({why})")
        else:
            found.append(admin)
    return found, skipped


# --- choosing codes and units ---------------------------------------------------------------


def _candidates(admin: Administration, index: DrugIndex, on: date | None) -> list[DrugEntry]:
    word = BRANDS.get(admin.drug.lower(), (_words(admin.drug)[0], ()))[0]
    entries = [index.entries[c] for c in sorted(index.lookup(word))]
    entries = [e for e in entries if e.required <= admin.context]
    return _narrow(entries, admin, on)


def _narrow(entries: list[DrugEntry], admin: Administration, on: date | None) -> list[DrugEntry]:
    """Route, then documented salts, then dates: each step only when something survives."""
    if admin.route:
        entries = [e for e in entries if e.route == admin.route] or entries
    present = {e.code.code: len(e.qualifiers & admin.qualifiers) for e in entries}
    best = max(present.values(), default=0)
    if best:
        entries = [e for e in entries if present[e.code.code] == best]
    entries = [e for e in entries if not (e.special - admin.qualifiers)] or entries
    if on is not None:
        entries = [e for e in entries if e.code.is_active(on)] or entries
    else:
        entries = [e for e in entries if e.code.termination_date is None] or entries
    return entries


def _units(admin: Administration, entry: DrugEntry) -> UnitsResult:
    return billing_units(admin.dose, entry.descriptor, concentration=admin.concentration)


def _choose(admin: Administration, entries: list[DrugEntry]) -> tuple[DrugEntry, UnitsResult]:
    """Fewest units, then least drug left over: 80 mg -> one '80 mg' unit, not two of 40."""

    def rank(entry: DrugEntry) -> tuple:
        u = _units(admin, entry)
        if u.units is None or u.per_amount is None:
            return (1, 0, Decimal(0), entry.code.code)
        return (int(u.needs_review), u.units, u.units * u.per_amount, entry.code.code)

    best = min(entries, key=rank)
    return best, _units(admin, best)


def _evidence(document: Document, admin: Administration) -> Evidence:
    start, end = admin.start, admin.end
    for lo, hi in (admin.dose_span, admin.route_span or admin.dose_span):
        if lo - end < 40:
            start, end = min(start, lo), max(end, hi)
    section = document.section_at(start)
    return Evidence(
        document.id,
        start,
        end,
        document.text[start:end],
        section.kind if section else admin.section,
    )


def jcode_suggestions(
    document: Document, *, on: date | None = None, context: ContextParse | None = None
) -> tuple[list[CodeSuggestion], list[str]]:
    """HCPCS drug codes for the administrations in ``document``, units in the path."""
    if not _DOSE.search(document.text):
        return [], []  # no dose, no drug line: spare loading the HCPCS drug index
    index, warnings = load_index(on)
    if index is None:
        return [], warnings
    admins, _skipped = find_administrations(document, index, context)
    lines: dict[str, list[tuple[Administration, DrugEntry, UnitsResult, list[DrugEntry]]]] = {}
    for admin in admins:
        entries = _candidates(admin, index, on)
        if not entries:
            continue
        entry, units = _choose(admin, entries)
        lines.setdefault(entry.code.code, []).append((admin, entry, units, entries))
    codes = [_suggestion(document, code, items, warnings) for code, items in lines.items()]
    return codes, warnings


def _suggestion(
    document: Document,
    code: str,
    items: list[tuple[Administration, DrugEntry, UnitsResult, list[DrugEntry]]],
    warnings: list[str],
) -> CodeSuggestion:
    entry = items[0][1]
    score = 0.9
    path = [f"drug: {entry.name} ({entry.descriptor.lstrip(', ')})"]
    seen: set[tuple[str, str | None]] = set()
    counted = []
    for admin, _, units, _ in items:
        key = (admin.dose.lower(), admin.route)
        if key in seen:
            path.append(f"'{admin.drug} {admin.dose}' mentioned again: counted once")
            warnings.append(f"{code}: {admin.drug} {admin.dose} documented twice; counted once")
            score -= 0.1
            continue
        seen.add(key)
        counted.append((admin, units))
        route = f" {admin.route_text}" if admin.route_text else ""
        path.append(f"administered: {admin.drug} {admin.dose}{route}")
    total, reason, review = _total_units(counted)
    path.append(f"units: {total}" if total is not None else "units: not computed")
    path.append(f"units rule: {reason}")
    if review:
        score -= 0.35
        warnings.append(f"{code}: units need review ({reason})")
    if entry.descriptor_note:
        path.append(entry.descriptor_note)
        score -= 0.05
    names = {e.name: e.code.code for _, _, _, es in items for e in es if e.name != entry.name}
    if names:
        others = ", ".join(f"{c} ({n})" for n, c in sorted(names.items()))
        path.append(f"also possible: {others}")
        warnings.append(f"{code}: the note does not say which product; also possible {others}")
        score -= 0.25
    routes = {a.route for a, _ in counted}
    if None in routes and len({e.route for _, _, _, es in items for e in es}) > 1:
        warnings.append(f"{code}: route not documented; oral and injectable codes both exist")
        score -= 0.15
    evidence = [_evidence(document, a) for a, _ in counted]
    return CodeSuggestion(
        "HCPCS",
        code,
        entry.code.long_description or entry.code.short_description,
        max(0.05, min(1.0, score)),
        evidence=evidence,
        path=path,
    )


def _total_units(counted: list[tuple[Administration, UnitsResult]]) -> tuple[int | None, str, bool]:
    """Units for the day: doses summed before rounding up, as one claim line bills them."""
    results = [u for _, u in counted]
    if len(results) == 1:
        u = results[0]
        return u.units, u.reason, u.needs_review or u.units is None
    if any(u.units is None or u.converted_dose is None for u in results):
        bad = next(u for u in results if u.units is None or u.converted_dose is None)
        return None, bad.reason, True
    total = sum((u.converted_dose for u in results), Decimal(0))
    per = results[0].per_amount
    units = int((total / per).quantize(Decimal("1e-9")).to_integral_value(ROUND_CEILING))
    review = any(u.needs_review for u in results)
    reason = f"total {total} {results[0].per_unit} / {per} {results[0].per_unit}, rounded up"
    return units, reason, review
