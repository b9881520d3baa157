"""The coded encounter a claim is built from (the ``medcoder claim`` input JSON).

Field names follow the example in the claims issue and may be extended, never renamed. The
JSON Schema is published with ``medcoder claim --schema``. Validation here is structural
(types, required fields, formats); business rules (NPI check digit, dates in the future,
diagnosis limits, edits) belong to the scrubber, which reports them as findings instead of
refusing the file.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Sex = Literal["F", "M", "U"]
PoaIndicator = Literal["Y", "N", "U", "W", "1"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)


class Address(_Model):
    line1: str
    line2: str | None = None
    city: str
    state: str = Field(min_length=2, max_length=2)
    zip: str = Field(pattern=r"^\d{5}(-?\d{4})?$")


class Patient(_Model):
    id: str
    first_name: str
    last_name: str
    birth_date: dt.date
    sex: Sex
    address: Address | None = None


class Payer(_Model):
    name: str
    id: str
    filing_indicator: str = Field(
        "CI",
        description="X12 claim filing indicator (MB Medicare Part B, MA Part A, MC Medicaid, CI commercial, ...)",
    )
    member_id: str
    group_number: str | None = None
    relationship: str = Field("18", description="Patient relationship to subscriber (18 = self)")


class Provider(_Model):
    npi: str
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    tax_id: str | None = None
    taxonomy: str | None = None
    address: Address | None = None
    phone: str | None = Field(None, description="Contact phone (837 1000A PER submitter contact)")


class Diagnosis(_Model):
    code: str
    poa: PoaIndicator | None = None
    source: str | None = Field(
        None, description="'engine' when coded by medcoder from the documents"
    )


class Procedure(_Model):
    code: str = Field(description="ICD-10-PCS code (inpatient)")
    date: dt.date | None = None
    source: str | None = None


class Line(_Model):
    code: str = Field(description="CPT or HCPCS code")
    modifiers: list[str] = Field(default_factory=list, max_length=4)
    units: Decimal = Decimal(1)
    charge: Decimal
    dx_pointers: list[int] = Field(default_factory=list)
    service_date: dt.date | None = None
    revenue_code: str | None = Field(
        None, description="UB-04 revenue code (inpatient/institutional)"
    )
    place_of_service: str | None = None
    ndc: str | None = None
    source: str | None = None


class Encounter(_Model):
    """One encounter to bill."""

    id: str
    setting: Literal["outpatient", "inpatient", "emergency", "observation"] = "outpatient"
    service_date: dt.date | None = None
    place_of_service: str | None = None
    patient: Patient
    payer: Payer
    billing_provider: Provider
    rendering_provider: Provider | None = None
    attending_provider: Provider | None = None
    referring_provider: Provider | None = None
    documents: list[str] = Field(default_factory=list)
    diagnoses: list[Diagnosis] | None = None
    admitting_diagnosis: str | None = Field(
        None,
        description="ICD-10-CM admitting diagnosis (837I HI*ABJ; required on inpatient claims)",
    )
    procedures: list[Procedure] | None = None
    lines: list[Line] | None = None
    admission_date: dt.date | None = None
    discharge_date: dt.date | None = None
    discharge_status: str | None = Field(
        None, description="UB-04 FL17 patient discharge status, e.g. 01"
    )
    type_of_bill: str | None = Field(None, description="UB-04 FL4, e.g. 0111")
    admission_type: str | None = None
    admission_source: str | None = None
    abn_on_file: bool = False
    prior_authorization: str | None = None


def encounter_schema() -> dict:
    """The JSON Schema of the encounter input, for ``medcoder claim --schema``."""
    return Encounter.model_json_schema()
