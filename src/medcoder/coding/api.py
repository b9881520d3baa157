"""``medcoder.code(...)``: the Python entry point of the coding engine."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from medcoder.coding.engine import CodingEngine
from medcoder.coding.suggestion import CodingResult
from medcoder.documents.model import Document, Encounter

_engines: dict[tuple, CodingEngine] = {}


def engine_for(
    setting: str, model: object | None, on: date | None, systems: tuple[str, ...] = ("ICD-10-CM",)
) -> CodingEngine:
    """A shared engine per (setting, model, date, systems): vocabulary and rules load once."""
    from medcoder.codesets.pack_store import data_dir

    key = (setting, id(model), on, systems, str(data_dir()))
    if key not in _engines:
        _engines[key] = CodingEngine(setting=setting, model=model, on=on, systems=systems)
    return _engines[key]


def code(
    source: str | Document | Encounter,
    *,
    setting: str = "outpatient",
    model: object | str | Path | None = None,
    on: date | None = None,
    document_id: str = "document",
) -> CodingResult:
    """Code free text, a :class:`Document` or an :class:`Encounter`.

    ``model`` is a trained model object or the path of one saved by ``medcoder train``.
    """
    if isinstance(model, str | Path):
        from medcoder.coding.house_model import HouseModel

        model = HouseModel.load(Path(model))
    engine = engine_for(setting, model, on)
    if isinstance(source, Encounter):
        return engine.code_encounter(source)
    if isinstance(source, str):
        from medcoder.documents.text_reader import normalize_text

        # Empty or non-clinical text codes to nothing; it is not an error (issue 4).
        source = Document(id=document_id, text=normalize_text(source), source="<text>")
    return engine.code_document(source)
