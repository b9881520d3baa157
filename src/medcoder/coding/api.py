"""``medcoder.code(...)``: the Python entry point of the coding pipeline.

Every front door (this function, ``medcoder code``, the workbench, casework, the claim
commands) builds a :class:`~medcoder.coding.request.CodingRequest` and codes through
:func:`pipeline_for`, so one note in one setting gets the same codes whichever way it came.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import date
from pathlib import Path

from medcoder.coding.engine import CodingEngine
from medcoder.coding.request import CodingRequest
from medcoder.documents.model import Document, Encounter, Setting
from medcoder.suggestions import CodingResult

_CACHE_SIZE = 8  # loaded pipelines kept (setting x systems x date x model x data dir)
_pipelines: OrderedDict[tuple, CodingEngine] = OrderedDict()
_models: dict[tuple[str, int], object] = {}


def load_model(path: str | Path) -> object:
    """A saved house model, loaded once per file version (path and modification time)."""
    from medcoder.learning.house_model import HouseModel

    resolved = Path(path).resolve()
    key = (str(resolved), resolved.stat().st_mtime_ns if resolved.exists() else 0)
    if key not in _models:
        _models.clear()  # one model at a time: a new version replaces the old
        _models[key] = HouseModel.load(resolved)
    return _models[key]


def pipeline_for(request: CodingRequest) -> CodingEngine:
    """The shared pipeline of a request: vocabulary and rules load once per process.

    Requests are resolved first (systems without an installed pack are dropped, with a note),
    and the newest few pipelines are kept.
    """
    from medcoder.codesets.pack_store import data_dir

    key = (*request.key(), str(data_dir()))  # what was asked, before resolving packs
    pipeline = _pipelines.get(key)
    if pipeline is None:
        pipeline = _pipelines[key] = CodingEngine(request=request.resolve())
        while len(_pipelines) > _CACHE_SIZE:
            _pipelines.popitem(last=False)
    else:
        _pipelines.move_to_end(key)
    return pipeline


def engine_for(
    setting: Setting | str,
    model: object | None,
    on: date | None,
    systems: tuple[str, ...] = ("ICD-10-CM",),
) -> CodingEngine:
    """The shared pipeline for a setting, model, date and systems (see :func:`pipeline_for`)."""
    return pipeline_for(CodingRequest.build(setting, systems=systems, on=on, model=model))


def code(
    source: str | Document | Encounter,
    *,
    setting: Setting | str | None = None,
    model: object | str | Path | None = None,
    on: date | None = None,
    systems: str | tuple[str, ...] | None = None,
    document_id: str = "document",
) -> CodingResult:
    """Code free text, a :class:`Document` or an :class:`Encounter`.

    ``setting``: an encounter's own setting by default, else outpatient; ``systems``: the
    setting's default systems when not given (what ``medcoder code`` reports);
    ``on``: the date of service (an encounter's own by default: discharge date for inpatient
    stays). ``model`` is a trained model object or the path of one saved by ``medcoder train``.
    """
    if isinstance(model, str | Path):
        model = load_model(model)
    if isinstance(source, Encounter):
        request = CodingRequest.for_encounter(source, systems=systems, model=model)
        if setting is not None or on is not None:
            request = CodingRequest.build(
                setting if setting is not None else request.setting,
                systems=systems,
                on=on if on is not None else request.on,
                model=model,
            )
        return pipeline_for(request).code(source)
    request = CodingRequest.build(
        setting if setting is not None else Setting.OUTPATIENT,
        systems=systems,
        on=on,
        model=model,
    )
    if isinstance(source, str):
        from medcoder.documents.text_reader import normalize_text

        # Empty or non-clinical text codes to nothing; it is not an error (issue 4).
        source = Document(id=document_id, text=normalize_text(source), source="<text>")
    return pipeline_for(request).code(source)
