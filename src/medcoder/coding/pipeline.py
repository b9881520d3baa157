"""The coding pipeline: one request, one annotated document, named components.

In the spirit of spaCy's ``Language.pipeline``: a :class:`Pipeline` is built from a
:class:`~medcoder.coding.request.CodingRequest` and runs its components in order over a
:class:`CodingState`. Each component has a name and one job, can be listed, replaced or
removed, and is timed::

    annotate -> diagnoses -> guidelines -> house_model -> sequencing -> procedures -> services

- ``annotate``: every document becomes an :class:`~medcoder.nlp.annotated.AnnotatedDocument`
  (type, sections, sentences, mentions with assertion) once; nothing later re-annotates;
- ``diagnoses``: candidate ICD-10-CM codes from the mentions the setting lets through;
- ``guidelines``: the Official Guidelines' conventions on the candidate set (combination codes,
  Excludes1, integral symptoms, ...), each rule with its id and section;
- ``house_model``: a trained organisation model re-scores (only when the request has one);
- ``sequencing``: principal (inpatient) or first-listed diagnosis first, POA;
- ``procedures``: ICD-10-PCS (when the request codes it and a pack is installed);
- ``services``: CPT E/M level and HCPCS Level II (when the request codes them).

A new component is any callable with a ``name`` that reads and writes the state; add it with
:meth:`Pipeline.add` (``before=``/``after=`` a named component).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

from medcoder.codesets.icd10cm_pack import ICD10CMPack
from medcoder.coding.candidates import Candidate
from medcoder.coding.request import CodingRequest
from medcoder.coding.settings import Profile, profile
from medcoder.documents.model import Document, Encounter
from medcoder.nlp.annotated import AnnotatedDocument
from medcoder.suggestions import CodeSuggestion, CodingResult, Rejected

# Code sets whose version warnings the pipeline writes; the HCPCS and CPT coders say their own.
_WARNS_HERE = frozenset({"ICD-10-CM", "ICD-10-CM index", "ICD-10-PCS"})


@dataclass
class CodingState:
    """What the components of one run read and write."""

    request: CodingRequest
    pipeline: Pipeline
    documents: list[Document]
    result: CodingResult
    annotated: list[AnnotatedDocument] = field(default_factory=list)
    # documents the caller annotated already (casework reads them before coding): id -> them
    given: dict[str, AnnotatedDocument] = field(default_factory=dict)
    candidates: list[Candidate] = field(default_factory=list)  # every mention's codes
    kept: list[Candidate] = field(default_factory=list)  # those the setting lets through
    diagnoses: list[CodeSuggestion] = field(default_factory=list)
    procedures: list[CodeSuggestion] = field(default_factory=list)
    services: list[CodeSuggestion] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def pack(self) -> ICD10CMPack:
        return self.pipeline.pack

    @property
    def profile(self) -> Profile:
        return self.pipeline.profile

    def reject(self, item: Rejected) -> None:
        self.result.rejected.append(item)

    def mentions_of(self, suggestion: CodeSuggestion) -> list:
        """The annotated mentions behind a suggestion's evidence."""
        index = self.__dict__.get("_mention_index")
        if index is None:
            index = self.__dict__["_mention_index"] = {
                (a.id, m.start, m.end): m for a in self.annotated for m in a.mentions
            }
        found = (index.get((e.document, e.start, e.end)) for e in suggestion.evidence)
        return [m for m in found if m is not None]

    def stated_order(self, suggestion: CodeSuggestion) -> int | None:
        """Where the note states this diagnosis among its problems (0 = first), if it does."""
        items = [
            m.item
            for m in self.mentions_of(suggestion)
            if m.reading == "diagnosis" and m.item is not None
        ]
        return min(items) if items else None


class Component(Protocol):
    """A pipeline step: a name and a call that reads and writes the state."""

    name: str

    def __call__(self, state: CodingState) -> None: ...


class Pipeline:
    """The components that code documents for one request, in order.

    The constructor stores the request; packs, vocabulary and rules load on first use and are
    shared by every document coded afterwards.
    """

    def __init__(
        self, request: CodingRequest, components: Iterable[Component] | None = None
    ) -> None:
        self.request = request
        self.profile: Profile = profile(request.setting)
        if components is None:
            from medcoder.coding.components import default_components

            components = default_components(request)
        self.components: list[Component] = list(components)
        self.timings: dict[str, float] = {}  # seconds per component, summed over runs
        self.runs = 0

    # -- shared resources -----------------------------------------------------------------

    @cached_property
    def pack(self) -> ICD10CMPack:
        """The ICD-10-CM tabular for the date of service: in force, else the nearest."""
        from medcoder.codesets import registry

        pack, self._tabular = registry.icd10cm_resolved(self.request.on)
        return pack

    @cached_property
    def code_sets(self) -> tuple[dict[str, str], tuple[str, ...]]:
        """The version of each code set this pipeline codes with, and a warning for each one
        that is not the version in force on the date of service (or, with no date given,
        each one of another year than the ICD-10-CM tabular)."""
        from medcoder.codesets import registry
        from medcoder.nlp.index_vocabulary import index_pack_for

        on = self.request.on
        self.pack  # noqa: B018 - resolves the tabular
        chosen = [self._tabular]
        index = index_pack_for(self.pack)
        if index is not None:
            chosen.append(registry.Resolution(index, on, on is None or on in index.period))
        wanted = {"ICD-10-PCS": "icd10pcs", "HCPCS": "hcpcs", "CPT": "cpt"}
        for system in self.request.systems:
            component = wanted.get(system)
            if component and registry.list_packs(component):
                chosen.append(registry.resolve(component, on, system))
        versions = {c.system: c.label for c in chosen}
        warnings = [w for c in chosen if c.system in _WARNS_HERE and (w := c.warning)]
        if on is None:
            fiscal = {c.system: c.info.version for c in chosen if c.system in _WARNS_HERE}
            others = {s: v for s, v in fiscal.items() if v != fiscal["ICD-10-CM"]}
            if others:
                listing = ", ".join(f"{s} FY{v}" for s, v in others.items())
                warnings.append(
                    f"no date of service given: coded with the newest installed code sets, "
                    f"ICD-10-CM FY{fiscal['ICD-10-CM']} with {listing} (give --date to use "
                    "the ones in force on the date)"
                )
        return versions, tuple(warnings)

    @cached_property
    def annotator(self):  # noqa: ANN201 - nlp.annotator.Annotator
        from medcoder.nlp.annotator import annotator_for

        return annotator_for(self.pack)

    # -- the component list ---------------------------------------------------------------

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.components]

    def get(self, name: str) -> Component:
        for component in self.components:
            if component.name == name:
                return component
        raise KeyError(f"no component {name!r} in {self.names}")

    def replace(self, name: str, component: Component) -> None:
        self.components[self.names.index(name)] = component

    def remove(self, name: str) -> Component:
        return self.components.pop(self.names.index(name))

    def add(
        self, component: Component, *, before: str | None = None, after: str | None = None
    ) -> None:
        if before is not None:
            self.components.insert(self.names.index(before), component)
        elif after is not None:
            self.components.insert(self.names.index(after) + 1, component)
        else:
            self.components.append(component)

    # -- running ----------------------------------------------------------------------------

    def annotate(self, document: Document) -> AnnotatedDocument:
        """The annotated document every component reads (built once per run)."""
        return self.annotator.annotate(document)

    def code(
        self,
        source: Document | AnnotatedDocument | Encounter | list[Document | AnnotatedDocument],
        name: str | None = None,
    ):
        """Code one document, an encounter's documents, or a list of documents as one record.

        A document annotated already (by :meth:`annotate`, e.g. for casework's chronology) is
        coded from that annotation, not annotated again."""
        given: dict[str, AnnotatedDocument] = {}
        if isinstance(source, AnnotatedDocument):
            given[source.id] = source
            source = source.document
        elif isinstance(source, list):
            given = {a.id: a for a in source if isinstance(a, AnnotatedDocument)}
            source = [a.document if isinstance(a, AnnotatedDocument) else a for a in source]
        if isinstance(source, Encounter):
            documents, name = list(source.documents), name or source.id
        elif isinstance(source, Document):
            documents, name = [source], name or source.id
        else:
            documents = list(source)
            name = name or (documents[0].id if documents else "encounter")
        result = CodingResult(document=name, setting=self.profile.name)
        result.warnings.extend(self.request.notes)
        versions, notes = self.code_sets
        result.code_sets = dict(versions)
        result.warnings.extend(notes)
        state = CodingState(self.request, self, documents, result, given=given)
        for component in self.components:
            started = time.perf_counter()
            component(state)
            spent = time.perf_counter() - started
            state.timings[component.name] = spent
            self.timings[component.name] = self.timings.get(component.name, 0.0) + spent
        self.runs += 1
        result.codes = [*state.diagnoses, *state.procedures, *state.services]
        result.rejected = _merge_rejected(result.rejected)
        result.pipeline = dict(state.timings)
        return result

    def describe(self) -> list[dict[str, object]]:
        """Each component: name, what it does, seconds spent so far (``--explain-pipeline``)."""
        out = []
        for component in self.components:
            doc = (type(component).__doc__ or "").strip().split("\n\n")[0]
            out.append(
                {
                    "name": component.name,
                    "does": " ".join(doc.split()),
                    "seconds": round(self.timings.get(component.name, 0.0), 4),
                }
            )
        return out


def _merge_rejected(rejected: list[Rejected]) -> list[Rejected]:
    """One entry per code and reason, with the evidence of every mention behind it: "not
    coded: negated" once with its three mentions reads better than three identical lines."""
    merged: dict[tuple[str, str], Rejected] = {}
    for item in rejected:
        key = (item.code, item.reason)
        if key not in merged:
            merged[key] = item
            continue
        seen = {(e.document, e.start, e.end) for e in merged[key].evidence}
        merged[key].evidence.extend(
            e for e in item.evidence if (e.document, e.start, e.end) not in seen
        )
    return list(merged.values())


ComponentFactory = Callable[[CodingRequest], Component]
