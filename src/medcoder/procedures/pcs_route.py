"""From a procedure word to a PCS code prefix through the official ICD-10-PCS Index.

The Index is the way into the tables (guideline A6): a procedure word enters at a main term
(``Appendectomy``, ``Thoracentesis``), its subterms are chosen by the body words written
around it, ``see`` references are followed, and the code prefix reached is handed to
:class:`PcsBuilder` to be completed axis by axis. Where the Index offers several root
operations (Excision or Resection, Drainage or Extirpation) the one whose full definition
fits what the note says is chosen (B3.1a).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from medcoder.codesets.icd10pcs import PcsData
from medcoder.codesets.icd10pcs_index import PcsIndexTerm
from medcoder.procedures.pcs_axes import start_reasons
from medcoder.procedures.pcs_builder import AxisContext, PcsBuilder, PcsConstruction
from medcoder.procedures.pcs_objects import RemovalObject
from medcoder.procedures.pcs_vocabulary import (
    DIRECT_STARTS,
    NOT_PROCEDURE_BEFORE,
    WEAK_TRIGGERS,
    PcsVocabulary,
    phrase,
)


@dataclass
class Lead:
    """A code prefix the index leads to from one procedure word, with the way there."""

    code: str
    path: list[str]
    words: int = 0  # body words the index subterms matched (more is more specific)


class IndexRoute:
    """Index walks and root-operation choices for one PCS pack."""

    def __init__(self, data: PcsData, vocabulary: PcsVocabulary, builder: PcsBuilder) -> None:
        self.data = data
        self.vocabulary = vocabulary
        self.builder = builder

    def construct(
        self, key: tuple[str, ...], ctx: AxisContext, cues: dict[str, object], text: str
    ) -> list[PcsConstruction]:
        """Constructions for the procedure word ``key`` (a vocabulary trigger)."""
        titles = self.vocabulary.triggers[key].terms
        found_object: RemovalObject | None = cues.get("object")  # type: ignore[assignment]
        if found_object is not None:
            titles = found_object.operations(key)  # B3.1a: the objective decides
        return self.construct_from(titles, ctx, cues, text, key)

    def construct_from(
        self,
        titles: tuple[str, ...],
        ctx: AxisContext,
        cues: dict[str, object],
        text: str,
        key: tuple[str, ...] = (),
    ) -> list[PcsConstruction]:
        """Constructions from the Index main terms ``titles`` (or a direct start)."""
        index = self.data.index
        if index is None:
            return []
        leads: list[Lead] = []
        found_object: RemovalObject | None = cues.get("object")  # type: ignore[assignment]
        for title in titles:
            if title in DIRECT_STARTS:
                start, approach, device = DIRECT_STARTS[title]
                ctx = replace(
                    ctx,
                    approach=approach or ctx.approach,
                    approach_words=text if approach else ctx.approach_words,
                    devices=(device, *ctx.devices) if device else ctx.devices,
                )
                said = f"{text!r} names {start}"
                why = dict.fromkeys(range(1, len(start) + 1), said)
                return self.builder.build(start, ctx, [said], why)
            for term in index.lookup(title):
                leads += self._walk(term, ctx, [f"index: {term.title}"], 0)
        if key in WEAK_TRIGGERS:
            if cues.get("before") in NOT_PROCEDURE_BEFORE:
                return []
            leads = [lead for lead in leads if lead.words]
        lead = self._choose(leads, ctx, cues, text)
        if lead is None:
            return []
        if found_object is not None:
            lead.path.insert(len(lead.path), found_object.reason(text))
        return self.builder.build(lead.code, ctx, lead.path, start_reasons(lead.code, lead.path))

    def _walk(self, term: PcsIndexTerm, ctx: AxisContext, path: list[str], depth: int) -> list:
        """Leads below ``term`` whose subterm titles the mention's words name."""
        leads: list[Lead] = []
        ref = term.reference
        if ref is not None and ref.kind == "see" and depth < 3:
            if ref.code:
                leads.append(Lead(ref.code, [*path, f"see {ref.target} {ref.code}"]))
            else:
                main, _, sub = ref.target.partition(",")
                main = re.sub(r"\s+with\s.*$", "", main).strip()
                for target in self.data.index.lookup(main):  # type: ignore[union-attr]
                    found = self._walk(target, ctx, [*path, f"see {ref.target}"], depth + 1)
                    leads += [lead for lead in found if lead.words or not sub.strip()]
        titled = [c for c in term.children if c.title]
        matched = []
        for child in titled:
            words = _title_words(child.title)
            plain = [w for w in words if w not in ("right", "left", "bilateral")]
            sides = [w for w in words if w in ("right", "left", "bilateral")]
            if plain and all(w in ctx.words for w in plain) and (not sides or ctx.side in sides):
                matched.append((len(plain) + len(sides), child))
            elif not plain and sides and ctx.side in sides:
                matched.append((1, child))
        if matched:
            top = max(n for n, _ in matched)
            for n, child in matched:
                if n == top:
                    below = self._walk(child, ctx, [*path, child.title], depth)
                    for lead in below:
                        lead.words += n
                    leads += below or self._subtree_prefix(child, path)
        elif term.code:
            leads.append(Lead(term.code, [*path, f"code {term.code}"]))
        for child in term.children:
            if not child.title:
                leads += self._walk(child, ctx, path, depth)
        if not leads and term.code:
            leads.append(Lead(term.code, [*path, f"code {term.code}"]))
        return leads

    def _subtree_prefix(self, term: PcsIndexTerm, path: list[str]) -> list[Lead]:
        """The prefix all codes under a subterm share, when its own subterms did not match."""
        codes = [c for c in term.code_prefixes() if len(c) >= 3]
        if term.code:
            return [Lead(term.code, [*path, term.title, f"code {term.code}"])]
        if not codes:
            return []
        common = codes[0]
        for code in codes[1:]:
            while not code.startswith(common):
                common = common[:-1]
        if len(common) < 3:
            return []
        return [Lead(common, [*path, term.title, f"prefix {common} shared by its subterms"])]

    def _choose(
        self, leads: list[Lead], ctx: AxisContext, cues: dict[str, object], text: str
    ) -> Lead | None:
        """One lead per mention: the root operation the definitions make right."""
        if not leads:
            return None
        ops = {lead.code[:3]: lead for lead in leads}
        op_chars = {lead.code[2] for lead in leads if lead.code[0] == "0"}
        note = None
        want = None
        if {"B", "T"} <= op_chars:
            if cues.get("partial") or ctx.diagnostic:
                want, note = "B", "Excision (a portion of a body part)"
            else:
                want, note = "T", "Resection (all of a body part)"
        elif ctx.diagnostic and {"9", "B", "D"} & op_chars:
            want = "9" if "aspiration" in ctx.words or "fluid" in ctx.words else "B"
            if "marrow" in ctx.words and "D" in op_chars:
                want = "D"
            note = {"9": "Drainage", "B": "Excision", "D": "Extraction"}[want]
            note += " with qualifier Diagnostic (biopsy)"
        elif {"9", "C"} <= op_chars:
            want, note = (
                ("C", "Extirpation (solid matter)") if cues.get("solid") else ("9", "Drainage")
            )
        if want is not None:
            leads = [lead for lead in leads if lead.code[0] != "0" or lead.code[2] == want]
            if not leads:
                return None
        lead = max(leads, key=lambda lead: (lead.words, len(lead.code)))
        lead.path = list(lead.path)
        if note:
            lead.path.append(f"operation: {note} from {text!r}")
            lead.path.append("B3.1a: root operation by its full definition")
        elif lead.code[0] == "0" and len(lead.code) >= 3:
            name = self.data.tables.tables.get(lead.code[:3])
            if name is not None:
                lead.path.append(f"operation: {name.labels[2]} from {text!r}")
        if cues.get("discontinued") and lead.code[0] == "0" and len(lead.code) >= 4:
            inspection = lead.code[:2] + "J" + lead.code[3]
            if self.data.tables.is_valid_prefix(inspection):
                lead = Lead(inspection, [*lead.path, "B3.3: discontinued -> Inspection"])
        if len(ops) > 1 and not note:
            lead.path.append(f"other index leads: {', '.join(sorted(ops))}")
        return lead


@lru_cache(maxsize=50_000)
def _title_words(title: str) -> tuple[str, ...]:
    return phrase(title)
