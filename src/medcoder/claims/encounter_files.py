"""Encounter files: read and validate an encounter JSON, code its documents when it carries no
codes, and load one file of a batch without letting its error stop the others.

The library behind ``medcoder claim``, ``scrub``, ``drg`` and ``batch`` (and the Spark batch),
so every front door reads an encounter file the same way.
"""

from __future__ import annotations

import json
from pathlib import Path

from medcoder.errors import MedcoderError, SourceFileError, UsageError, file_error


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SourceFileError(path, "not UTF-8 text (is it a binary file?)") from exc
    except OSError as exc:
        raise file_error(exc, path) from exc


def load_encounter(path: Path):  # noqa: ANN201
    """Read and validate an encounter JSON file; errors name the field."""
    from pydantic import ValidationError

    from medcoder.claims.model import ClaimEncounter

    try:
        data = json.loads(_read_text(path))
    except json.JSONDecodeError as exc:
        raise SourceFileError(path, f"invalid JSON ({exc.msg})", line=exc.lineno) from exc
    try:
        return ClaimEncounter.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        more = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
        raise SourceFileError(path, f"field {field}: {first['msg']}{more}") from exc


def code_missing_diagnoses(encounter, base: Path) -> list[str]:  # noqa: ANN001
    """Code the encounter's documents when it carries no diagnoses (and, for an inpatient
    stay, no ``procedures`` field: an empty list says none were performed); the codes are
    marked ``source="engine"`` and listed back."""
    needs_dx = not encounter.diagnoses
    needs_pcs = (
        encounter.setting == "inpatient"
        and encounter.procedures is None
        and bool(encounter.documents)
    )
    if not needs_dx and not needs_pcs:
        return []
    from medcoder.claims.from_codes import diagnoses_from, procedures_from
    from medcoder.coding.api import engine_for
    from medcoder.documents.model import Encounter
    from medcoder.documents.readers import read_many

    if not encounter.documents:
        raise UsageError(f"encounter {encounter.id} has no diagnoses and no documents to code")
    setting = "inpatient" if encounter.setting == "inpatient" else "outpatient"
    systems = ("ICD-10-CM", "ICD-10-PCS") if needs_pcs else ("ICD-10-CM",)
    engine = engine_for(setting, None, encounter.service_date, systems)
    docs = []
    for outcome in read_many([base / doc for doc in encounter.documents]):
        if not outcome.ok:
            raise UsageError(f"cannot code the encounter's documents: {outcome.error}")
        docs.extend(outcome.documents)
    result = engine.code_encounter(Encounter(id=encounter.id, documents=docs))
    coded: list[str] = []
    if needs_dx:
        # Principal first (the engine sequences it); POA as the engine read it (inpatient).
        encounter.diagnoses = diagnoses_from(result.codes, source="engine")
        coded += [d.code for d in encounter.diagnoses]
    if needs_pcs:
        encounter.procedures = procedures_from(result.codes, source="engine")
        coded += [p.code for p in encounter.procedures]
    return coded


def load_for_batch(path: Path):  # noqa: ANN201 - claims.model.ClaimEncounter or the error
    """Load and, when needed, code one encounter of a batch; the error instead of raising."""
    try:
        encounter = load_encounter(path)
        code_missing_diagnoses(encounter, path.parent)
        return encounter
    except MedcoderError as exc:
        return exc


def read_documents(encounter, base: Path) -> list:  # noqa: ANN001
    """The documents an encounter file names (paths relative to the file), read; an
    unreadable one is an error naming it."""
    from medcoder.documents.readers import read_many

    documents = []
    for outcome in read_many([base / name for name in encounter.documents or ()]):
        if not outcome.ok:
            raise UsageError(f"cannot read the encounter's documents: {outcome.error}")
        documents.extend(outcome.documents)
    return documents
