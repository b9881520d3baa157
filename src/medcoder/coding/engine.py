"""``CodingEngine``: the coding pipeline behind the settings-and-systems constructor that
training, evaluation and older callers use.

The work is done by :class:`~medcoder.coding.pipeline.Pipeline` and its named components
(:mod:`medcoder.coding.components`); this class only builds the
:class:`~medcoder.coding.request.CodingRequest` from keyword arguments and keeps the
attributes the house model's training reads (``pack``, ``candidates()``, ``procedures``).
"""

from __future__ import annotations

from datetime import date

from medcoder.coding.candidates import Candidate, candidates_of
from medcoder.coding.pipeline import Pipeline
from medcoder.coding.request import ICD10CM, CodingRequest
from medcoder.documents.model import Document, Encounter, Setting
from medcoder.suggestions import CodingResult


class CodingEngine(Pipeline):
    """Codes documents and encounters for one setting (``CodingEngine(setting="inpatient")``).

    The constructor stores settings only; packs, vocabulary and the assertion rules are loaded
    on first use and shared by every document coded afterwards.
    """

    def __init__(
        self,
        *,
        setting: Setting | str = Setting.OUTPATIENT,
        model: object | None = None,
        on: date | None = None,
        systems: tuple[str, ...] = (ICD10CM,),
        request: CodingRequest | None = None,
    ) -> None:
        if request is None:
            request = CodingRequest.build(setting, systems=systems, on=on, model=model)
        super().__init__(request)

    @property
    def setting(self) -> str:
        return self.request.setting.value

    @property
    def model(self) -> object | None:
        return self.request.model

    @property
    def systems(self) -> tuple[str, ...]:
        return self.request.systems

    @property
    def matcher(self):  # noqa: ANN201 - the annotator's ConceptMatcher
        return self.annotator.matcher

    @property
    def context(self):  # noqa: ANN201 - the annotator's ConText annotator
        return self.annotator.context

    @property
    def procedures(self):  # noqa: ANN201 - the ICD-10-PCS engine of the procedures component
        from medcoder.coding.components import Procedures

        try:
            return self.get("procedures").engine
        except KeyError:
            return Procedures(self.request).engine

    def candidates(self, document: Document) -> list[Candidate]:
        """Every vocabulary match of ``document`` with its assertion (what training reads)."""
        return candidates_of(self.annotate(document))

    def code_document(self, document: Document) -> CodingResult:
        return self.code(document)

    def code_encounter(self, encounter: Encounter) -> CodingResult:
        return self.code(encounter)
