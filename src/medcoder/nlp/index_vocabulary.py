"""Vocabulary entries from the Alphabetic Index and the Neoplasm Table.

A coder starts in the index (guideline I.B.1): main term, then the subterms the documentation
supports. Every path of the index becomes a phrase of its words: ``Calculus, kidney`` gives
the words {calculus, kidney} -> N20.0, which the matcher finds in "renal calculus" and
"calculus of the left kidney" alike. Rules that follow the index conventions:

- nonessential modifiers (in parentheses) are optional: they are not required words (I.A.7);
- connecting words (``with``, ``due to``, ``in``) are not required either: the tabular and the
  combination-code conventions decide what "with" links (I.A.15);
- a main term that only says *see X* is a synonym of X: its words stand in for X's words in
  every path below X (``Lithiasis`` -> *see* Calculus gives {lithiasis, kidney} -> N20.0);
- a code that is not complete (``S72.0-``) is carried to its default: the unspecified child,
  or the 7th character ``A`` (initial encounter) where one is required (I.B.1, I.A.5);
- bracketed manifestation codes go with the etiology code (I.A.13).

The neoplasm table adds {site words, neoplasm word} for primary malignant, secondary and
benign behaviour.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from medcoder.codesets import pack_store
from medcoder.codesets.icd10cm_pack import ICD10CMPack
from medcoder.codesets.systems import code_key
from medcoder.nlp.tokens import STOPWORDS, TITLE_FILLER, content_tokens
from medcoder.nlp.vocabulary import Entry

COMPONENT = "icd10cm-index"
CONNECTORS = frozenset(
    [
        "with",
        "without",
        "due",
        "following",
        "complicating",
        "associated",
        "involving",
        "affecting",
        "nec",
        "nos",
        "see",
        "also",
        "specified",
        "other",
    ]
)
SKIP_SUBTERM = re.compile(r"^(without|specified|unspecified|other|NEC|NOS)\b", re.I)
NEOPLASM_WORDS = {
    "Malignant Primary": (
        "cancer",
        "carcinoma",
        "malignant neoplasm",
        "malignancy",
        "tumor malignant",
    ),
    "Malignant Secondary": ("metastasis", "metastatic", "secondary malignant"),
    "Benign": ("benign neoplasm", "benign tumor", "adenoma"),
}


def index_pack_for(pack: ICD10CMPack):  # noqa: ANN201 - a registry.PackInfo or None
    """The index pack of the tabular's fiscal year, else the newest earlier one."""
    from medcoder.codesets.registry import list_packs

    packs = [p for p in list_packs(COMPONENT) if int(p.version) <= pack.version]
    return packs[-1] if packs else None


def index_signature(pack: ICD10CMPack) -> str:
    info = index_pack_for(pack)
    return f"{info.path}:{info.built_at}" if info else "no-index"


# First-level subterms that are the main term's default reading (I.A.18): "history of
# kidney stones" is the patient's own history, "History, personal (of), calculi, renal".
_DEFAULT_SUBTERMS = frozenset({("history", ("personal",))})
# An eponym names its disease or syndrome on its own ("Parkinson's", "Crohn's").
_EPONYM = re.compile(r"^[A-Z][\w-]+'s\b")
_EPONYM_HEADS = frozenset({"disease", "syndrome"})
# Words the index uses to name a site that documentation leaves out ("sacral region").
_SITE_FILLER = frozenset({"region", "end"})  # "sacral region", "humerus, upper end"
# The same site in the words documentation uses: "lumbar strain" is "Strain, low back".
_SITE_SYNONYMS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("low", "back"), ("lumbar",)),
    (("low", "back"), ("lower", "back")),  # "lower back pain" is the index's low back
    (("lower", "back"), ("lumbar",)),
    (("malignant", "neoplasm"), ("cancer",)),  # "history of breast cancer"
    (("abdomen", "wall"), ("suprapubic",)),  # the suprapubic region is the lower abdominal wall
    (("aortocoronary",), ("coronary", "artery")),  # CABG: coronary artery bypass graft
    (("respiratory", "tract"), ("airway",)),  # "foreign body in the airway"
    (("dependence", "oxygen"), ("home", "oxygen")),  # "COPD on 2 liters of home oxygen"
    (("upper",), ("proximal",)),  # "humerus, upper end" is the proximal humerus
    (("lower",), ("distal",)),  # "radius, lower end" is the distal radius
    (("incomplete",), ("partial",)),
    (
        ("auricular",),
        ("atrium",),
    ),  # the index's old word for the atrium ("Hypertrophy, auricular")  # "partial-thickness rotator cuff tear": incomplete tear
    # A coronary stent is the index's "angioplasty, coronary artery, with implant" (Z95.5).
    (("angioplasty", "coronary", "artery", "implant"), ("coronary", "stent")),
    (("angioplasty", "coronary", "artery", "implant"), ("coronary", "stenting")),
)


_PLURAL_MARK = re.compile(r"\((?:e?s)\)", re.I)  # "Pain(s)": the plural, not a word "s"


def _words(text: str) -> tuple[str, ...]:
    return tuple(
        t
        for t in content_tokens(_PLURAL_MARK.sub("", text))
        if t not in CONNECTORS and t not in TITLE_FILLER and t not in _SITE_FILLER
    )


def _site_forms(tokens: tuple[str, ...], code: str = "") -> list[tuple[str, ...]]:
    """``tokens`` and the same phrase with each site synonym in place of the index's words.

    Of a circulatory code (chapter I), the index's "auricular" is the atrium ("Hypertrophy,
    auricular", "Fibrillation, auricular"), which tokens otherwise read as the ear.
    """
    out = [tokens]
    if code.startswith("I") and "ear" in tokens:
        out.append(tuple("atrium" if t == "ear" else t for t in tokens))
    for words, synonym in _SITE_SYNONYMS:
        n = len(words)
        for i in range(len(tokens) - n + 1):
            if tokens[i : i + n] == words:
                out.append(tokens[:i] + synonym + tokens[i + n :])
                break
    return out


_SIDE_WORDS = frozenset({"right", "left", "bilateral"})


class _Resolver:
    """Carries an index code to a billable code of the tabular pack."""

    def __init__(self, pack: ICD10CMPack) -> None:
        self.pack = pack
        self.flags = pack.flags

    @cache  # noqa: B019 - one resolver per vocabulary build
    def resolve(self, code: str) -> str | None:
        key = code_key(code.rstrip("-").rstrip("."))
        if not key:
            return None
        flags = self.flags.get(key)
        if flags is None:
            return None
        if flags & 1:
            return key
        if flags & 2:  # needs a 7th character: initial encounter by default
            candidate = key.ljust(6, "X") + "A"
            return candidate if candidate in self.flags else None
        # The default child leaves the most unspecified: "Malignant neoplasm of unspecified
        # site of unspecified female breast" (C50.919), not "... of right female breast"
        # (C50.911), whose title also says "unspecified" of the site.
        ranked = [
            (
                (self.pack.title(child) or "").lower().count("unspecified"),
                child.endswith("9"),
                child,
            )
            for child in self.pack.children(key)
        ]
        ranked = [r for r in ranked if r[0] or r[1]]
        if ranked:
            return self.resolve(max(ranked, key=lambda r: (r[0], r[1]))[2])
        return None

    def resolve_for(self, code: str, words: tuple[str, ...]) -> str | None:
        """Complete an index code the way the coder completes it from the Tabular: a code
        printed with a dash ("L89.15-" under "stage 4") takes the child whose title holds the
        index path's words ("Pressure ulcer of sacral region, stage 4"), else its default."""
        key = code_key(code.rstrip("-").rstrip("."))
        flags = self.flags.get(key)
        if flags is None or flags & 3:
            return self.resolve(code)
        wanted = set(words)
        best, best_score = None, 0
        for child in self.pack.children(key):
            found = set(content_tokens(self.pack.title(child) or ""))
            score = len(wanted & found) - len(found & _SIDE_WORDS)
            if score > best_score:
                best, best_score = child, score
        parent_words = set(content_tokens(self.pack.title(key) or ""))
        if (
            best is None
            or not (wanted & set(content_tokens(self.pack.title(best) or ""))) - parent_words
        ):
            return self.resolve(code)
        return self.resolve(best) if not (self.flags.get(best, 0) & 1) else best


def index_entries(pack: ICD10CMPack) -> tuple[list[Entry], str]:
    """Entries from the installed index pack (empty when none is installed)."""
    info = index_pack_for(pack)
    if info is None:
        return [], "no-index"
    from medcoder.codesets.icd10cm_index_pack import read_index, read_neoplasm_table

    conn = pack_store.open_pack(info.path)
    try:
        kinds = {row[0] for row in conn.execute("SELECT kind FROM index_docs")}
        index = read_index(conn, "index") if "index" in kinds else None
        neoplasm = read_neoplasm_table(conn) if "neoplasm" in kinds else None
    finally:
        conn.close()
    resolver = _Resolver(pack)
    entries: list[Entry] = []
    morphology: dict[str, list[str]] = {}
    if index is not None:
        entries.extend(_from_index(index, resolver))
        morphology = _morphology_words(index)
    if neoplasm is not None:
        entries.extend(_from_neoplasm(neoplasm, resolver, morphology))
    entries.extend(_ligament_strains(entries))
    return entries, f"{info.path}:{info.built_at}"


def _ligament_strains(entries: list[Entry]) -> Iterator[Entry]:
    """ "Strain" of a ligament read as the index's "Sprain".

    In the index a strain is an injury of muscle or tendon ("Strain, muscle" and "Strain,
    tendon" send to "Injury, muscle, by site, strain"); a ligament's injury is a sprain (the
    Tabular's S83 "Includes: sprain of cartilage, joint or ligament of knee"). Clinicians write
    "MCL strain" for the ligament: every Sprain path that names a ligament is also found with
    "strain", ranked after the written form; a strain with no ligament stays a muscle strain.
    """
    for entry in entries:
        if entry.source == "index" and "sprain" in entry.tokens and "ligament" in entry.tokens:
            tokens = tuple("strain" if t == "sprain" else t for t in entry.tokens)
            yield entry._replace(tokens=tokens, rank=entry.rank + 1)


# Spellings of one word that do not share their first letters ("Tear, torn").
_IRREGULAR_VARIANTS = frozenset({("tear", "torn"), ("keloid", "cheloid")})
# A qualifier that is the main term's default reading: "Fracture, traumatic" is where a coder
# looks up any fracture not documented as pathological (I.A.18 default codes).
_DEFAULT_QUALIFIERS = frozenset({"traumatic"})
_BY_SITE = re.compile(r",?\s*\b(?:by site|by type|by body region|by region)\b.*$", re.I)


# Subterms that only link the main term to the conditions listed below them (I.A.15).
_LINK_SUBTERMS = frozenset({"with", "in", "due to"})
# Main terms documentation leaves unsaid before a procedure or device: "s/p CABG" is the
# index's "Status (post), aortocoronary bypass".
_UNSAID_MAIN_TERMS = frozenset({"status"})


def _spellings(title: str) -> list[tuple[str, ...]] | None:
    """The word sets of a title that lists spellings of one word (``Abdomen, abdominal``,
    ``pelvis, pelvic``, ``Tear, torn``), or None for any other title."""
    parts = [p.strip() for p in title.split(",") if p.strip()]
    first = parts[0].lower() if parts else ""
    if len(parts) > 1 and all(
        p[:3].lower() == first[:3] or (first, p.lower()) in _IRREGULAR_VARIANTS for p in parts
    ):
        return [_words(p) for p in parts]
    return None


def _head_variants(title: str) -> list[tuple[str, ...]]:
    """Word sets a main term is written as.

    ``Abdomen, abdominal``, ``Test, tests, testing`` and ``Tear, torn`` list spellings of one
    word: each is a variant. ``Tenderness, abdominal`` is a term and its qualifier: all words
    are needed, unless the qualifier is the default reading (``Fracture, traumatic``).
    """
    parts = [p.strip() for p in title.split(",") if p.strip()]
    spellings = _spellings(title)
    if spellings is not None:
        variants = spellings
    else:
        variants = [_words(title)]
        if len(parts) == 2 and parts[1].lower() in _DEFAULT_QUALIFIERS:
            variants.append(_words(parts[0]))
    return [v for v in variants if v]


def see_reference(reference: str) -> list[str]:
    """The path a *see* reference names, without its "by site" tail: "Ulcer, pressure, by
    site" points at "Ulcer, pressure", whose subterms are the sites."""
    return [p for p in re.split(r",\s*", _BY_SITE.sub("", reference)) if p]


def _qualifier_words(index) -> set[str]:  # noqa: ANN001
    """Words used as qualifiers all over the index (``male``, ``old``, ``multiple``).

    Alone they name no condition, so a one-word main term made of one of them with no
    subterms of its own is not kept: the flattened public copy of the index lost text after
    nonessential modifiers and leaves such stubs (``Old`` for "Old myocardial infarction"),
    while real main terms used as qualifiers (``Hypertension``) have subterms.
    """
    from collections import Counter

    counts: Counter[str] = Counter()
    for titles, term in index.iter_terms():
        if len(titles) > 1:
            counts.update(set(_words(term.title)))
    return {word for word, n in counts.items() if n >= 25}


def _aliases(index) -> dict[int, list[tuple[str, ...]]]:  # noqa: ANN001
    """``see`` main terms as synonyms: id(target term) -> alternative head words.

    A main term with its own subterms can still be a synonym ("Cholelithiasis" -> see
    "Calculus, gallbladder", with subterms for the bile ducts): its own subterms are walked
    as usual and take precedence where they say more."""
    out: dict[int, list[tuple[str, ...]]] = {}
    for main in index.main_terms:
        if main.see and not main.codes:
            path, unmatched = index.resolve(see_reference(main.see))
            if path and not unmatched:
                for head in _head_variants(main.title):
                    out.setdefault(id(path[-1]), []).append(head)
    return out


_DANGLING = re.compile(r"\b(?:and|or)$", re.I)


def _lost_tail(term, resolver: _Resolver) -> tuple[str, ...]:  # noqa: ANN001
    """The word the public index file lost after a title's non-essential modifier: "acute
    and (on)" is "acute and (on) chronic" (J96.20 "Acute and chronic respiratory failure");
    the code's Tabular title gives the word after the title's own words."""
    if not term.codes or not _DANGLING.search(term.title):
        return ()
    title = resolver.pack.title(code_key(term.codes[0].rstrip("-"))) or ""
    found = re.search(re.escape(term.title) + r"\s+(\w+)", title, re.I)
    return _words(found.group(1)) if found else ()


def _from_index(index, resolver: _Resolver) -> Iterator[Entry]:  # noqa: ANN001
    aliases = _aliases(index)
    qualifiers = _qualifier_words(index)

    def heads(term) -> list[tuple[str, ...]]:  # noqa: ANN001
        return _head_variants(term.title) + aliases.get(id(term), [])

    def keep(term, candidates: list[tuple[str, ...]]) -> list[tuple[str, ...]]:  # noqa: ANN001
        return [
            o
            for o in dict.fromkeys(candidates)
            if o
            and any(t not in STOPWORDS and len(t) > 2 for t in o)
            and not (len(o) == 1 and o[0] in qualifiers and not term.subterms)
        ]

    def walk(
        term,  # noqa: ANN001
        prefixes: list[tuple[str, ...]],
        depth: int,
        path: str,
        synonyms: list[tuple[str, ...]],
        anchor: tuple[str, list[tuple[str, ...]]] | None = None,
    ) -> Iterator[Entry]:
        """``prefixes``: the word sets of the path so far (the first few spellings);
        ``synonyms``: word sets that started at a *see* main term naming a term above. They
        are carried down every level, so "Cholelithiasis" reaches "Calculus, gallbladder,
        with cholecystitis, acute" as {cholelithiasis, acute}. ``anchor``: the code and word
        sets of the nearest term above that has a code.

        A subterm with the same code as that term is its default reading ("Foreign body,
        esophagus" T18.108 is "..., esophagus, causing, injury NEC" T18.108): documentation
        does not say the default's words, so the subterms below it are also read without
        them ("foreign body (food) in the esophagus" is "..., causing, injury NEC, food")."""
        if depth and SKIP_SUBTERM.match(term.title):
            return
        path = f"{path}, {term.title}" if path else term.title
        words = _words(term.title) + _lost_tail(term, resolver)
        if depth == 1 and (path.split(",")[0].strip().lower(), words[:1]) in _DEFAULT_SUBTERMS:
            words = ()  # "History, personal (of)": documentation says "history of X"
        # A subterm listing spellings of one word ("Fracture, traumatic, pelvis, pelvic") is
        # written either way: {fracture, pelvic}, {fracture, pelvis}.
        spelled = [v for v in _spellings(term.title) or [words] if v] if depth else [words]
        if depth and words:
            own = [p + v for p in prefixes for v in spelled]
        else:
            own = heads(term) if depth == 0 else prefixes
        eponym = (
            depth == 1
            and bool(words)
            and bool(_EPONYM.search(term.title))
            and path.split(",")[0].strip().lower() in _EPONYM_HEADS
        )
        synonyms = [s + v for s in synonyms for v in spelled] if depth and words else list(synonyms)
        # A *see* main term pointing at this term names it alone: "Smoker" -> see
        # "Dependence, drug, nicotine" means {smoker} -> F17.200, not {dependence ... smoker}.
        synonyms += aliases.get(id(term), [])
        own = keep(term, own)
        synonyms = [x for x in keep(term, synonyms) if x not in own]
        path_words = own[0] if own else words
        codes = [c for c in (resolver.resolve_for(c, path_words) for c in term.codes) if c]
        manifs = [c for c in (resolver.resolve(c) for c in term.manif_codes) if c]
        if codes:
            unsaid = path.split(",")[0].strip().lower() in _UNSAID_MAIN_TERMS
            for phrase in own + synonyms:
                # Without its main term's word, a status path is only a status where the
                # documentation says so ("s/p", "history of"): its source says it.
                source = "status" if unsaid and not (set(phrase) & _UNSAID_MAIN_TERMS) else "index"
                for tokens in _site_forms(phrase, codes[0]):
                    yield Entry(
                        tokens, codes[0], source, path, 1 + depth, tuple(codes[1:] + manifs)
                    )
        if codes and depth and words in (("male",), ("female",)):
            # "Hypogonadism, male": the note states the patient's sex once, not beside the
            # diagnosis; the matcher holds it as the document's "sex=male" (nlp.patient_sex).
            for prefix in prefixes:
                if prefix:
                    yield Entry(
                        (*prefix, f"sex={words[0]}"),
                        codes[0],
                        "index",
                        f"{path} (the patient's sex)",
                        depth,
                        tuple(codes[1:] + manifs),
                    )
        if codes and eponym:
            # "Disease, Parkinson's": documentation says "Parkinson's" alone; the possessive
            # must be written (a patient named Wilson has no Wilson's disease).
            yield Entry(words, codes[0], "eponym", path, 2 + depth, tuple(codes[1:] + manifs))
        prefixes_below = own[:4]
        if depth == 0 and _words(term.title)[:1] and _words(term.title)[0] in _UNSAID_MAIN_TERMS:
            prefixes_below = [*prefixes_below, ()]  # the subterms name the status on their own
        if codes and anchor is not None and depth and codes[0] == anchor[0] and term.subterms:
            prefixes_below = list(dict.fromkeys([*prefixes_below, *anchor[1][:2]]))
        below = (codes[0], own[:4]) if codes else anchor
        for sub in term.subterms:
            yield from walk(sub, prefixes_below, depth + 1, path, synonyms, below)
        if depth and term.see and not codes and id(term) not in followed:
            # A subterm that only says *see* (I.A.16): "Regurgitation, mitral -> see
            # Insufficiency, mitral" codes {regurgitation, mitral} as the target does, and the
            # target's own subterms continue below these words.
            target = see_target(term.see)
            if target is not None:
                followed.add(id(term))
                yield from walk_target(target, own[:4], depth, f"{path} (see {term.see})")
                followed.discard(id(term))
        elif depth and term.see_also and not codes and not term.see:
            # A subterm with no code of its own that says *see also* (I.A.16): "Sore, throat
            # (see also Pharyngitis)" is the other term's own code, J02.9, for the stated
            # condition (billing settings take the second look, abstraction does not).
            target = see_target(term.see_also)
            target_codes = (
                [c for c in (resolver.resolve(c) for c in target.codes)] if target else []
            )
            if target_codes and target_codes[0] and not target_codes[0].startswith("Q"):
                for tokens in keep(term, own[:4]):
                    yield Entry(
                        tokens,
                        target_codes[0],
                        "see_also",
                        f"{path} (see also {term.see_also})",
                        2 + depth,
                    )

    def see_target(reference: str):  # noqa: ANN001, ANN202
        found, unmatched = index.resolve(see_reference(reference))
        return found[-1] if found and not unmatched else None

    def walk_target(target, prefixes, depth: int, path: str) -> Iterator[Entry]:  # noqa: ANN001
        """The target's own code and its direct subterms' codes under the referring words
        (one level: deeper paths are reached from the target's own words).

        Under the target the coder looks the referring word up again: "Ulcer, heel -> see
        Ulcer, lower limb" lands on "Ulcer, lower limb, heel" (and its "right"), not on the
        limb NOS. A ``with`` subterm holds no code of its own: its subterms are the
        combinations (I.A.15), so "mitral and tricuspid regurgitation" reaches
        "Insufficiency, mitral, with, tricuspid"."""
        said = set(prefixes[0]) if prefixes else set()
        target = next(
            (
                sub
                for sub in target.subterms
                if sub.codes and _words(sub.title) and set(_words(sub.title)) <= said
            ),
            target,
        )
        direct = [sub for sub in target.subterms if not SKIP_SUBTERM.match(sub.title)]
        combined = [
            (sub, _words(sub.title), 1)
            for link in direct
            if not link.codes and link.title.strip().lower() in _LINK_SUBTERMS
            for sub in link.subterms
            if not SKIP_SUBTERM.match(sub.title)
        ]
        for term, words, level in [
            (target, (), 0),
            *[(sub, _words(sub.title), 1) for sub in direct],
            *combined,
        ]:
            codes = [c for c in (resolver.resolve(c) for c in term.codes) if c]
            if not codes:
                continue
            manifs = [c for c in (resolver.resolve(c) for c in term.manif_codes) if c]
            for tokens in keep(term, [p + words for p in prefixes[:2]]):
                yield Entry(
                    tokens,
                    codes[0],
                    "index",
                    f"{path}, {term.title}" if level else path,
                    1 + depth + level,
                    tuple(codes[1:] + manifs),
                )

    followed: set[int] = set()
    for main in index.main_terms:
        yield from walk(main, [], 0, "", [])
    yield from _see_also_sites(index, resolver, heads, see_target)


def _see_also_sites(index, resolver: _Resolver, heads, see_target) -> Iterator[Entry]:  # noqa: ANN001
    """A main term's *see also* (I.A.16) for the sites its own subterms lack.

    "Enlargement, enlarged (see also Hypertrophy)" has no atrium; the coder turns to
    "Hypertrophy, auricular" (-> see Hypertrophy, cardiac, I51.7). The other main term's first
    level of subterms is read under this term's words, after its own paths (rank), and never
    where this term has a subterm of the same words. Deeper levels are not carried: the hint
    is for the term's sites, and carrying whole subtrees would double the vocabulary. Their
    source is ``see_also``: the second look is taken for a condition the provider states, so
    settings that read every mention (abstraction) do not take it ("maxillary sinus" is
    anatomy, not "Sinus (see also Fistula)").
    """
    for main in index.main_terms:
        if not main.see_also or main.see:
            continue
        if main.see_also.lower().startswith("condition"):
            continue  # "see also condition": look up the condition itself, not a main term
        found, unmatched = index.resolve(see_reference(main.see_also))
        if not found or unmatched or len(found) != 1 or found[0] is main:
            continue
        own = {_words(sub.title) for sub in main.subterms}
        prefixes = heads(main)[:2]
        for sub in found[0].subterms:
            words = _words(sub.title)
            if not words or words in own or SKIP_SUBTERM.match(sub.title):
                continue
            term = sub if sub.codes else (see_target(sub.see) if sub.see else None)
            if term is None:
                continue
            codes = [c for c in (resolver.resolve(c) for c in term.codes) if c]
            if not codes or codes[0].startswith("Q"):
                # A congenital anomaly is coded where the record names it (I.C.17): "abnormal
                # liver enzymes" is a finding, not "Abnormal (see also Anomaly), liver" Q44.70.
                continue
            manifs = [c for c in (resolver.resolve(c) for c in term.manif_codes) if c]
            for tokens in (f for prefix in prefixes for f in _site_forms(prefix + words, codes[0])):
                yield Entry(
                    tokens,
                    codes[0],
                    "see_also",
                    f"{main.title} (see also {main.see_also}), {sub.title}",
                    3,
                    tuple(codes[1:] + manifs),
                )


_BEHAVIOUR_COLUMN = {
    "malignant": "Malignant Primary",
    "secondary": "Malignant Secondary",
    "in situ": "Ca in situ",
    "benign": "Benign",
    "uncertain behavior": "Uncertain Behavior",
    "unspecified behavior": "Unspecified Behavior",
}
_NEOPLASM_SEE = re.compile(
    r"^Neoplasm,\s+(?:by site,\s+)?(malignant|secondary|in situ|benign|uncertain\s+behavior|"
    r"unspecified\s+behavior)\b",
    re.I,
)


def _morphology_words(index) -> dict[str, list[str]]:  # noqa: ANN001
    """Morphology main terms that send the coder to the Neoplasm Table by behaviour
    (I.C.2: "Adenocarcinoma — see also Neoplasm, malignant, by site"): column -> words."""
    out: dict[str, list[str]] = {}
    for main in index.main_terms:
        reference = main.see or main.see_also or ""
        found = _NEOPLASM_SEE.match(re.sub(r"\s+", " ", reference))
        if not found:
            continue
        column = _BEHAVIOUR_COLUMN[re.sub(r"\s+", " ", found.group(1).lower())]
        words = " ".join(_words(main.title.split(",")[0]))
        if words:
            out.setdefault(column, []).append(words)
    return out


_PROCEDURE_SITE = re.compile(r"\b\w+(?:ectomy|ostomy|otomy)\s+site\b", re.I)


def _from_neoplasm(table, resolver: _Resolver, morphology: dict[str, list[str]]) -> Iterator[Entry]:  # noqa: ANN001
    root = table.root
    if root is None:
        return
    columns = {
        c: list(dict.fromkeys([*NEOPLASM_WORDS.get(c, ()), *morphology.get(c, ())]))
        for c in {*NEOPLASM_WORDS, *morphology}
    }

    def walk(term, prefix: tuple[str, ...], depth: int) -> Iterator[Entry]:  # noqa: ANN001
        site = prefix + _words(term.title)
        if _PROCEDURE_SITE.search(term.title):
            # "mastectomy site": the site of a procedure must be said as one ("recurrence at
            # the mastectomy site"); "breast cancer, mastectomy in 2010" names the breast.
            site = (*site, "site")
        for column, words in columns.items():
            code = term.cells.get(column)
            key = resolver.resolve(code) if code else None
            if not key or not site:
                continue
            for word in words:
                yield Entry(
                    site + _words(word),
                    key,
                    "index",
                    f"Neoplasm, {term.title} ({column})",
                    2 + depth,
                )
        if depth < 2:
            for sub in term.subterms:
                yield from walk(sub, site, depth + 1)

    for site in root.subterms:
        yield from walk(site, (), 0)
