"""Group documents into an :class:`Encounter` and settle what decides coding conventions.

The setting (inpatient vs outpatient...) and the service date select guideline sections and
code-set versions, so they must come from somewhere explicit: the caller's arguments first,
then what a structured source (HL7 PV1, FHIR Encounter) said, then the documents' own dates.
Every fallback leaves a warning on the Encounter rather than guessing silently.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from medcoder.documents.model import Document, Encounter, Patient, Setting


def age_at(birth_date: date, on: date) -> int:
    """Completed years between ``birth_date`` and ``on`` (the age coding guidelines use)."""
    if on < birth_date:
        raise ValueError("service date before birth date")
    had_birthday = (on.month, on.day) >= (birth_date.month, birth_date.day)
    return on.year - birth_date.year - (0 if had_birthday else 1)


def _day(value: datetime | date | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def build_encounter(
    documents: list[Document],
    *,
    setting: Setting | str | None = None,
    admission_date: date | None = None,
    discharge_date: date | None = None,
    patient: Patient | None = None,
    encounter_id: str | None = None,
    source: Encounter | None = None,
) -> Encounter:
    """Build the Encounter for ``documents``.

    Explicit arguments win over ``source`` (an Encounter read from HL7/FHIR), which wins
    over dates taken from the documents. The patient's age is set at the service date.
    """
    warnings: list[str] = list(source.warnings) if source else []
    if setting is not None:
        chosen = Setting.parse(setting)
    elif source is not None and not any("class" in w for w in source.warnings):
        chosen = source.setting
    else:
        chosen = Setting.OUTPATIENT
        warnings.append("setting not given; assumed outpatient")
    admission = admission_date or (source.admission_date if source else None)
    discharge = discharge_date or (source.discharge_date if source else None)
    created = sorted(d for d in (_day(doc.created) for doc in documents) if d is not None)
    if admission is None and discharge is None and created:
        admission = created[0]
        if chosen is not Setting.OUTPATIENT:
            discharge = created[-1]
        warnings.append("service dates taken from document dates")
    if admission and discharge and discharge < admission:
        warnings.append("discharge date before admission date")
    person = replace(patient) if patient else (replace(source.patient) if source else Patient())
    encounter = Encounter(
        id=encounter_id or (source.id if source else None) or _default_id(documents),
        documents=list(documents),
        setting=chosen,
        admission_date=admission,
        discharge_date=discharge,
        patient=person,
        warnings=warnings,
    )
    service = encounter.service_date
    if person.birth_date and service:
        try:
            person.age = age_at(person.birth_date, service)
        except ValueError:
            warnings.append("service date before birth date; age not set")
    elif person.age is None:
        warnings.append("patient age unknown (no birth date or service date)")
    return encounter


def _default_id(documents: list[Document]) -> str:
    return documents[0].id if documents else "encounter"
