"""The two things the workbench asks of the core library: code an encounter, check a code.

Kept behind two small functions so the store stays free of the engine and tests can swap in
a stub through ``create_app(coder=...)``.
"""

from __future__ import annotations

from datetime import date

from medcoder.store.errors import InvalidError
from medcoder.store.models import EncounterRow


def core_encounter(row: EncounterRow) -> object:
    """The stored encounter as the core library's Encounter (document ids ``doc<id>``, the
    ids every stored evidence and CDI indicator points to)."""
    from medcoder.documents.model import Document, Encounter

    documents = [
        Document(id=f"doc{d.id}", text=d.text, source=d.file_name, format=d.format, kind=d.kind)
        for d in row.documents
    ]
    return Encounter(
        id=f"enc{row.id}",
        documents=documents,
        setting=row.setting,
        admission_date=row.service_date,
    )


def engine_coder(row: EncounterRow) -> object:
    """Code the stored encounter's documents with medcoder.code, in its setting."""
    import medcoder

    return medcoder.code(core_encounter(row), setting=row.setting, on=row.service_date)


def validate_code(code: str, on: date | None) -> tuple[str, str, str | None]:
    """``(display code, system, title)`` of a reportable code, else InvalidError on ``code``."""
    from medcoder import codesets

    verdict = codesets.validate(code, on=on)
    if not verdict.valid:
        hint = (
            f"; did you mean {', '.join(verdict.suggestions[:5])}?" if verdict.suggestions else ""
        )
        raise InvalidError(
            f"{verdict.code} cannot be reported ({verdict.status.value}): {verdict.reason}{hint}",
            field="code",
        )
    return verdict.code, verdict.system, verdict.title
