"""One note in, output rows out: the row-level work of a Spark job, in plain Python.

A note arrives as a :class:`NoteInput` (an id and either its text or the bytes of a file,
with an optional setting, date of service and encounter id) and leaves as rows of
:data:`NOTE_COLUMNS`: one row per document it holds (a FHIR Bundle or an HL7 batch holds
several, as in ``medcoder code``), or one error row. Nothing here raises for a bad note: the
error is a row with an error code and a message, so one bad note never fails a job.

Error codes:

* ``invalid_input``: no id, no text, an unknown setting or an unreadable date of service;
* ``unreadable``: the document reader refused it (empty, binary, malformed, too large);
* ``coding_failed``: the engine refused it (a text over the length limit, no pack for the
  date of service);
* ``internal_error``: anything else; the message names only the exception type, because
  an exception's message may quote the note.

No pyspark and no pandas here: the module is tested and reused without a JVM.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePosixPath
from urllib.parse import unquote

from medcoder.documents.model import Document
from medcoder.errors import DocumentError, MedcoderError
from medcoder.spark.adapter import code_document
from medcoder.suggestions import CodingResult

_EVIDENCE = (
    "STRUCT<start: INT, `end`: INT, text: STRING, section: STRING, assertion: STRING, page: INT>"
)
_CODE = (
    "STRUCT<rank: INT, system: STRING, code: STRING, description: STRING, score: DOUBLE, "
    f"principal: BOOLEAN, poa: STRING, evidence: ARRAY<{_EVIDENCE}>>"
)
#: Output columns, one row per note (Spark SQL types). ``docs/spark.md`` documents each one.
NOTE_FIELDS = (
    ("note_id", "STRING"),
    ("encounter_id", "STRING"),
    ("source", "STRING"),
    ("setting", "STRING"),
    ("service_date", "DATE"),
    ("status", "STRING"),
    ("error_code", "STRING"),
    ("error_message", "STRING"),
    ("language", "STRING"),
    ("codes", f"ARRAY<{_CODE}>"),
    ("warnings", "ARRAY<STRING>"),
    ("queries", "ARRAY<STRUCT<rule: STRING, title: STRING, code: STRING>>"),
)
NOTE_SCHEMA = ", ".join(f"{name} {kind}" for name, kind in NOTE_FIELDS)
NOTE_COLUMNS = [name for name, _ in NOTE_FIELDS]
ERROR_CODES = ("invalid_input", "unreadable", "coding_failed", "internal_error")


@dataclass(frozen=True)
class CodingOptions:
    """What every executor needs to code notes the way the driver asked.

    ``setting`` and ``on`` (date of service) serve the rows that do not carry their own.
    ``systems`` are the code systems to report, ``None`` for each setting's default (what
    ``medcoder code`` reports without ``--systems``). ``data_dir`` is a medcoder data folder
    (``packs/`` inside) that every executor can read; when it is ``None`` the packs were
    shipped with ``SparkContext.addFile`` under the names in ``shipped``. ``model`` is the
    path of a model from ``medcoder train`` (or its shipped file name).
    """

    setting: str = "outpatient"
    on: date | None = None
    systems: tuple[str, ...] | None = None
    model: str | None = None
    data_dir: str | None = None
    shipped: tuple[str, ...] = ()
    queries: bool = False


@dataclass(frozen=True)
class NoteInput:
    """One row of the input: ``text`` for a note held as text, ``content`` for a file."""

    note_id: str | None
    text: str | None = None
    content: bytes | None = None
    path: str | None = None  # where the file came from (a Spark path or URI)
    setting: str | None = None
    service_date: str | date | datetime | None = None
    encounter_id: str | None = None


def file_stem(path: str) -> str:
    """The note id ``medcoder code`` gives a file: its name without the extension."""
    return PurePosixPath(unquote(path.rstrip("/").rsplit("/", 1)[-1])).stem


def code_note(note: NoteInput, options: CodingOptions) -> list[dict[str, object]]:
    """The output rows of one note; never raises."""
    base = {
        "note_id": note.note_id,
        "encounter_id": note.encounter_id,
        "source": note.path,
        "setting": note.setting or options.setting,
        "service_date": None,
    }
    try:
        setting, on = _setting_and_date(note, options)
        base["setting"], base["service_date"] = setting, on
        documents = _documents(note)
    except _Refused as exc:
        return [_error(base, exc.code, exc.message)]
    rows = []
    for document in documents:
        row = {**base, "note_id": document.id}
        try:
            result = code_document(
                document,
                setting=setting,
                on=on,
                systems=options.systems,
                model=options.model,
            )
            queries = _queries(document, result, setting) if options.queries else None
        except MedcoderError as exc:
            rows.append(_error(row, "coding_failed", str(exc)))
            continue
        except Exception as exc:  # noqa: BLE001 - one note must not fail the job
            rows.append(_error(row, "internal_error", f"unexpected {type(exc).__name__}"))
            continue
        rows.append(result_row(row, result, queries))
    return rows


class _Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _setting_and_date(note: NoteInput, options: CodingOptions) -> tuple[str, date | None]:
    from medcoder.documents.model import Setting

    if not note.note_id:
        raise _Refused("invalid_input", "the note has no id")
    try:
        setting = Setting.parse(note.setting or options.setting).value
    except MedcoderError as exc:
        raise _Refused("invalid_input", str(exc)) from None
    value = note.service_date
    if value is None or value == "":
        return setting, options.on
    if isinstance(value, datetime):
        return setting, value.date()
    if isinstance(value, date):
        return setting, value
    try:
        return setting, date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise _Refused(
            "invalid_input", f"date of service {value!r} is not a date (YYYY-MM-DD)"
        ) from None


def _documents(note: NoteInput) -> list[Document]:
    """The documents of a note, named as ``medcoder code`` names them."""
    from medcoder.documents.readers import read_source
    from medcoder.documents.text_reader import text_document

    try:
        if note.content is not None:
            name = file_stem(note.path or str(note.note_id))
            outcome = read_source(bytes(note.content), name=note.path or name)
            documents = outcome.documents
            if len(documents) == 1:
                documents[0].id = str(note.note_id)
            return documents
        if note.text is None:
            raise _Refused("invalid_input", "the note has no text")
        return [text_document(note.text, doc_id=str(note.note_id), source=str(note.note_id))]
    except DocumentError as exc:
        raise _Refused("unreadable", str(exc)) from None
    except MedcoderError as exc:
        raise _Refused("unreadable", str(exc)) from None
    except _Refused:
        raise
    except Exception as exc:  # noqa: BLE001 - a reader bug must not fail the job
        raise _Refused("unreadable", f"unexpected {type(exc).__name__} while reading") from None


def _queries(document: Document, result: CodingResult, setting: str) -> list[dict[str, object]]:
    """CDI query opportunities for the note (``medcoder query find`` on the same codes)."""
    from medcoder.cdi import find_opportunities

    return [
        {"rule": o.rule_id, "title": o.title, "code": o.code}
        for o in find_opportunities(document, result, setting=setting)
    ]


def result_row(
    base: dict[str, object], result: CodingResult, queries: list[dict[str, object]] | None
) -> dict[str, object]:
    """The output row of a coded document: its codes as ``medcoder code`` reports them."""
    codes = []
    for rank, code in enumerate(result.to_dict()["codes"], start=1):
        codes.append(
            {
                "rank": rank,
                "system": code["system"],
                "code": code["code"],
                "description": code["description"],
                "score": float(code["score"]),
                "principal": bool(code.get("principal", False)),
                "poa": code.get("poa"),
                "evidence": [
                    {
                        "start": e["start"],
                        "end": e["end"],
                        "text": e["text"],
                        "section": e["section"],
                        "assertion": e["assertion"],
                        "page": e.get("page"),
                    }
                    for e in code["evidence"]
                ],
            }
        )
    return {
        **base,
        "status": "coded",
        "error_code": None,
        "error_message": None,
        "language": result.language,
        "codes": codes,
        "warnings": list(result.warnings),
        "queries": queries,
    }


def _error(base: dict[str, object], code: str, message: str) -> dict[str, object]:
    return {
        **base,
        "status": "error",
        "error_code": code,
        "error_message": message,
        "language": None,
        "codes": [],
        "warnings": [],
        "queries": None,
    }
