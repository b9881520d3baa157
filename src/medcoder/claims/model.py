"""The coded encounter a claim is built from (the ``medcoder claim`` input JSON).

Field names follow the example in the claims issue and may be extended, never renamed. The
JSON Schema is published with ``medcoder claim --schema``. Validation here is structural
(types, required fields, formats); business rules (NPI check digit, dates in the future,
diagnosis limits, edits) belong to the scrubber, which reports them as findings instead of
refusing the file.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Sex = Literal["F", "M", "U"]
PoaIndicator = Literal["Y", "N", "U", "W", "1"]
#: X12 SBR01 payer responsibility sequence: primary, secondary, tertiary.
Responsibility = Literal["P", "S", "T"]
#: 837 CLM05-3 claim frequency: 1 original, 7 replacement (corrected), 8 void.
Frequency = Literal["1", "7", "8"]
#: NDC unit of measure (837 CTP05-1, NCPDP): F2 international unit, GR gram, ME milligram,
#: ML millilitre, UN unit.
NdcUnit = Literal["F2", "GR", "ME", "ML", "UN"]
#: Largest charge an X12 amount (R, 18 digits) and the paper forms carry sensibly; a larger
#: value is a keying or unit error, refused here instead of failing deep in the writers.
MAX_CHARGE = Decimal("99999999.99")
MAX_UNITS = Decimal("99999.999")


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)


class Address(_Model):
    line1: str
    line2: str | None = None
    city: str
    state: str = Field(min_length=2, max_length=2)
    zip: str = Field(pattern=r"^\d{5}(-?\d{4})?$")


class Person(_Model):
    """A subscriber other than the patient (the 837 2010BA loop of a dependent's claim)."""

    first_name: str
    last_name: str
    birth_date: dt.date | None = None
    sex: Sex | None = None
    address: Address | None = None


class ClaimPatient(_Model):
    id: str
    first_name: str
    last_name: str
    birth_date: dt.date | None = Field(
        None, description="Required on a claim (DMG); missing is a scrubber finding"
    )
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
    relationship: str = Field(
        "18",
        description="Patient relationship to the subscriber (X12 PAT01/SBR02): 18 self, "
        "01 spouse, 19 child, 20 employee, 21 unknown, 39 organ donor, 40 cadaver donor, "
        "53 life partner, G8 other relationship",
    )
    subscriber: Person | None = Field(
        None, description="The subscriber when the patient is not (relationship other than 18)"
    )
    responsibility: Responsibility = Field(
        "P", description="This payer's place in the order of payers (SBR01)"
    )


class OtherPayer(Payer):
    """Another payer of the same claim (coordination of benefits, 837 loops 2320/2330)."""

    responsibility: Responsibility = "S"
    paid_amount: Decimal | None = Field(
        None, ge=0, le=MAX_CHARGE, description="What this payer paid (2320 AMT*D), if it has"
    )


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


class CodedDate(_Model):
    """A UB-04 occurrence code with its date (FL31-34, 837I HI*BH)."""

    code: str = Field(pattern=r"^[0-9A-Z]{2}$")
    date: dt.date


class CodedSpan(_Model):
    """A UB-04 occurrence span code with its period (FL35-36, 837I HI*BI)."""

    code: str = Field(pattern=r"^[0-9A-Z]{2}$")
    start: dt.date
    end: dt.date


class ValueCode(_Model):
    """A UB-04 value code with its amount (FL39-41, 837I HI*BE)."""

    code: str = Field(pattern=r"^[0-9A-Z]{2}$")
    amount: Decimal = Field(ge=-MAX_CHARGE, le=MAX_CHARGE)


class Specimen(_Model):
    """The specimen of a lab accession (HL7 OBR-7, OBR-14, OBR-15)."""

    id: str | None = None
    source: str | None = Field(None, description="Specimen type or source, e.g. BLD, UR")
    collected: dt.datetime | dt.date | None = None
    received: dt.datetime | dt.date | None = None


class Line(_Model):
    code: str = Field(
        "",
        description="CPT or HCPCS code; may be left out on an institutional line that carries "
        "only a revenue code (room and board, pharmacy)",
    )
    modifiers: list[str] = Field(default_factory=list, max_length=4)
    units: Decimal = Field(Decimal(1), allow_inf_nan=False, le=MAX_UNITS)
    charge: Decimal = Field(allow_inf_nan=False, le=MAX_CHARGE)
    dx_pointers: list[int] = Field(default_factory=list)
    service_date: dt.date | None = None
    revenue_code: str | None = Field(
        None, description="UB-04 revenue code (inpatient/institutional)"
    )
    place_of_service: str | None = None
    ndc: str | None = None
    ndc_quantity: Decimal | None = Field(
        None,
        gt=0,
        allow_inf_nan=False,
        le=MAX_UNITS * 100,
        description="Quantity of the drug in ndc_unit (837 CTP04), not the HCPCS units",
    )
    ndc_unit: NdcUnit | None = Field(None, description="Unit of ndc_quantity (837 CTP05)")
    control_number: str | None = Field(
        None,
        description="Line item control number (837 REF*6R) the 835 returns for this line; "
        "default: claim id and line number",
    )
    source: str | None = None

    @field_validator("code", mode="before")
    @classmethod
    def _no_code(cls, value: object) -> object:
        return "" if value is None else value

    @model_validator(mode="after")
    def _code_or_revenue_code(self) -> Line:
        if not self.code and not self.revenue_code:
            raise ValueError("a line needs a CPT/HCPCS code or a revenue code")
        return self


class ClaimEncounter(_Model):
    """One encounter to bill."""

    id: str
    setting: Literal["outpatient", "inpatient", "emergency", "observation"] = "outpatient"
    service_date: dt.date | None = None
    place_of_service: str | None = None
    patient: ClaimPatient
    payer: Payer
    other_payers: list[OtherPayer] = Field(
        default_factory=list,
        max_length=10,
        description="Secondary and tertiary payers (coordination of benefits, 837 2320/2330)",
    )
    billing_provider: Provider
    pay_to_address: Address | None = Field(
        None, description="Where payment goes when not the billing address (837 2010AB)"
    )
    rendering_provider: Provider | None = None
    attending_provider: Provider | None = None
    operating_provider: Provider | None = Field(
        None, description="Surgeon of the principal procedure (837I 2310B, UB-04 FL77)"
    )
    referring_provider: Provider | None = None
    ordering_provider: Provider | None = Field(
        None, description="Physician who ordered the tests (lab claims: 837P 2420E)"
    )
    supervising_provider: Provider | None = Field(None, description="837P 2310D")
    service_facility: Provider | None = Field(
        None,
        description="Where the service was rendered when not the billing address (837P 2310C, "
        "837I 2310E, CMS-1500 item 32): name, NPI, address",
    )
    documents: list[str] = Field(default_factory=list)
    diagnoses: list[Diagnosis] | None = None
    admitting_diagnosis: str | None = Field(
        None,
        description="ICD-10-CM admitting diagnosis (837I HI*ABJ; required on inpatient claims)",
    )
    patient_reason_for_visit: list[str] = Field(
        default_factory=list,
        max_length=3,
        description="ICD-10-CM reasons for an unscheduled outpatient visit (837I HI*APR)",
    )
    procedures: list[Procedure] | None = None
    lines: list[Line] | None = None
    admission_date: dt.date | None = None
    admission_hour: str | None = Field(None, pattern=r"^([01]\d|2[0-3])[0-5]\d$")
    discharge_date: dt.date | None = None
    discharge_hour: str | None = Field(
        None,
        pattern=r"^([01]\d|2[0-3])[0-5]\d$",
        description="HHMM (UB-04 FL16, 837I DTP*096); required on inpatient final claims",
    )
    discharge_status: str | None = Field(
        None, description="UB-04 FL17 patient discharge status, e.g. 01"
    )
    type_of_bill: str | None = Field(None, description="UB-04 FL4, e.g. 0111")
    admission_type: str | None = None
    admission_source: str | None = Field(
        None, description="Point of origin (UB-04 FL15, 837I CL102)"
    )
    condition_codes: list[str] = Field(default_factory=list, max_length=24)
    occurrence_codes: list[CodedDate] = Field(default_factory=list, max_length=24)
    occurrence_spans: list[CodedSpan] = Field(default_factory=list, max_length=24)
    value_codes: list[ValueCode] = Field(default_factory=list, max_length=24)
    poa_exempt: bool = Field(
        False,
        description="The facility does not report POA (e.g. a critical access hospital); "
        "otherwise every inpatient diagnosis needs Y, N, U, W or 1 (exempt code)",
    )
    frequency: Frequency | None = Field(
        None,
        description="Claim frequency (837 CLM05-3): 1 original, 7 replacement, 8 void; on an "
        "institutional claim the last digit of the type of bill",
    )
    payer_claim_control_number: str | None = Field(
        None,
        description="The payer's number of the original claim (835 CLP07), required to "
        "replace or void it (837 REF*F8, UB-04 FL64, CMS-1500 item 22)",
    )
    clia_number: str | None = Field(
        None, description="CLIA certificate of the lab (837P REF*X4, CMS-1500 item 23)"
    )
    accession_id: str | None = Field(None, description="Lab accession (requisition) number")
    client_id: str | None = Field(
        None, description="Client account billed for a lab accession (the ordering practice)"
    )
    client_name: str | None = None
    specimen: Specimen | None = None
    abn_on_file: bool = False
    prior_authorization: str | None = None

    @field_validator("condition_codes")
    @classmethod
    def _condition_codes(cls, value: list[str]) -> list[str]:
        for code in value:
            if not re.fullmatch(r"[0-9A-Z]{2}", code.strip().upper()):
                raise ValueError(f"{code!r} is not a two-character condition code")
        return [c.strip().upper() for c in value]

    def claim_frequency(self) -> str:
        """CLM05-3: the given frequency, else the type of bill's last digit, else 1."""
        if self.frequency:
            return self.frequency
        tob = (self.type_of_bill or "").strip()
        return tob[-1] if len(tob) >= 3 else "1"


def encounter_schema() -> dict:
    """The JSON Schema of the encounter input, for ``medcoder claim --schema``."""
    return ClaimEncounter.model_json_schema()
