"""The 837I (005010X223A2) claim loops: 2300 claim, 2310A attending, 2310D rendering, 2400.

Institutional specifics (pyx12 map ``837Q3.I.5010.X223.A1.xml``): CLM05 is the type of bill
(facility type code : A : frequency); DTP*434 statement dates are required, DTP*435 admission
date on inpatient claims; CL1 carries admission type, source and the required patient status;
diagnoses go on separate HI segments (ABK principal with POA in HI01-9, ABJ admitting, up to
two HI*ABF of twelve others each) and ICD-10-PCS procedures on HI*BBR (principal) and up to two
HI*BBQ, each with its D8 date. Lines are SV2 (revenue code first) with no diagnosis pointers.
"""

from __future__ import annotations

import datetime as dt
import re

from medcoder.claims.model import Encounter, Line
from medcoder.claims.x12_837p import drug_identification
from medcoder.claims.x12_envelope import (
    ClaimError,
    Segments,
    amount,
    d8,
    icd_code,
    identifier,
    provider_nm1,
    quantity,
    rd8,
    require_lines,
    taxonomy,
    total_charge,
)

MAX_OTHER_DIAGNOSES = 24
MAX_DIAGNOSES = MAX_OTHER_DIAGNOSES + 1
MAX_OTHER_PROCEDURES = 24
PER_HI = 12
MAX_LINES = 999
_TYPE_OF_BILL = re.compile(r"^0?(\d{2})([0-9A-Z])$")
_REVENUE = re.compile(r"^\d{4}$")
_MODIFIER = re.compile(r"^[A-Z0-9]{2}$")
_HCPCS = re.compile(r"^[A-Z0-9]{5}$")
#: Facility type codes (type of bill digits 1-2) billed as inpatient: 11 hospital inpatient,
#: 12 inpatient Part B, 18 swing bed, 21 SNF inpatient, 41 religious non-medical inpatient.
INPATIENT_FACILITY_TYPES = frozenset({"11", "12", "18", "21", "41"})


def claim_loop_837i(seg: Segments, enc: Encounter) -> None:
    """Append 2300 (CLM, DTP, CL1, REF, HI), 2310A attending, 2310D rendering and 2400."""
    eid = enc.id
    require_lines(enc)
    lines = enc.lines or []
    if len(lines) > MAX_LINES:
        raise ClaimError(
            "lines", f"{len(lines)} lines exceed the 837I limit of {MAX_LINES}", encounter_id=eid
        )
    facility, frequency = split_type_of_bill(enc)
    inpatient = facility in INPATIENT_FACILITY_TYPES
    claim_id = identifier(enc.id, field="id", max_len=38, encounter_id=eid)
    # CLM07 assignment A, CLM08 benefits assigned Y, CLM09 release of information Y.
    seg.add(
        "CLM",
        claim_id,
        amount(total_charge(enc)),
        None,
        None,
        (facility, "A", frequency),
        None,
        "A",
        "Y",
        "Y",
    )
    start, end = statement_period(enc)
    seg.add("DTP", "434", "RD8", rd8(start, end))
    if enc.admission_date is not None:
        seg.add("DTP", "435", "D8", d8(enc.admission_date))
    elif inpatient:
        raise ClaimError(
            "admission_date", "required on inpatient claims (2300 DTP*435)", encounter_id=eid
        )
    if not enc.discharge_status:
        raise ClaimError(
            "discharge_status", "patient status is required (2300 CL103)", encounter_id=eid
        )
    if inpatient and not enc.admission_type:
        raise ClaimError(
            "admission_type", "required on inpatient claims (2300 CL101)", encounter_id=eid
        )
    seg.add("CL1", enc.admission_type, enc.admission_source, enc.discharge_status)
    if enc.prior_authorization:
        seg.add(
            "REF",
            "G1",
            identifier(
                enc.prior_authorization, field="prior_authorization", max_len=50, encounter_id=eid
            ),
        )
    _diagnoses(seg, enc, inpatient)
    _procedures(seg, enc)
    if enc.attending_provider is None:
        raise ClaimError(
            "attending_provider",
            "the attending provider is required on institutional claims (2310A)",
            encounter_id=eid,
        )
    provider_nm1(seg, "71", enc.attending_provider, "attending_provider", eid)
    if enc.attending_provider.taxonomy:
        seg.add(
            "PRV",
            "AT",
            "PXC",
            taxonomy(enc.attending_provider.taxonomy, "attending_provider.taxonomy", eid),
        )
    if enc.rendering_provider is not None:
        provider_nm1(seg, "82", enc.rendering_provider, "rendering_provider", eid)
    for number, line in enumerate(lines, start=1):
        _service_line(seg, enc, number, line)


def split_type_of_bill(enc: Encounter) -> tuple[str, str]:
    """Type of bill 0111 -> facility type code ``11`` (CLM05-1) and frequency ``1`` (CLM05-3)."""
    tob = (enc.type_of_bill or "").strip().upper()
    match = _TYPE_OF_BILL.match(tob)
    if match is None:
        raise ClaimError(
            "type_of_bill",
            f"{enc.type_of_bill!r} is not a UB-04 type of bill such as 0111",
            encounter_id=enc.id,
        )
    return match.group(1), match.group(2)


def statement_period(enc: Encounter) -> tuple[dt.date, dt.date]:
    """Statement covers period (DTP*434): admission to discharge, else the span of service dates."""
    dates = [
        d for d in [enc.service_date, *(ln.service_date for ln in enc.lines or [])] if d is not None
    ]
    start = enc.admission_date or (min(dates) if dates else None)
    end = enc.discharge_date or (max(dates) if dates else None) or start
    if start is None or end is None:
        raise ClaimError(
            "service_date",
            "statement dates need an admission/discharge date or service dates (2300 DTP*434)",
            encounter_id=enc.id,
        )
    if end < start:
        raise ClaimError(
            "discharge_date", f"{end} is before the statement start {start}", encounter_id=enc.id
        )
    return start, end


def _poa(value: str | None) -> str | None:
    """HI0x-9 POA: Y/N/U/W; ``1`` (exempt) is sent blank in 5010."""
    return None if value in (None, "1") else value


def _diagnoses(seg: Segments, enc: Encounter, inpatient: bool) -> None:
    eid = enc.id
    diagnoses = enc.diagnoses or []
    if not diagnoses:
        raise ClaimError(
            "diagnoses", "a principal diagnosis is required (2300 HI*ABK)", encounter_id=eid
        )
    if len(diagnoses) > MAX_DIAGNOSES:
        raise ClaimError(
            "diagnoses",
            f"{len(diagnoses)} diagnoses exceed the 837I limit of {MAX_DIAGNOSES} (1 principal + 24 other)",
            encounter_id=eid,
        )
    codes = []
    for index, dx in enumerate(diagnoses):
        code = icd_code(dx.code)
        if not code.isalnum() or not 3 <= len(code) <= 7:
            raise ClaimError(
                f"diagnoses[{index}].code",
                f"{dx.code!r} is not an ICD-10-CM code",
                encounter_id=eid,
            )
        codes.append((code, _poa(dx.poa)))
    principal, poa = codes[0]
    seg.add("HI", ("ABK", principal, None, None, None, None, None, None, poa))
    if enc.admitting_diagnosis:
        seg.add("HI", ("ABJ", icd_code(enc.admitting_diagnosis)))
    elif inpatient:
        raise ClaimError(
            "admitting_diagnosis", "required on inpatient claims (2300 HI*ABJ)", encounter_id=eid
        )
    others = codes[1:]
    for chunk_start in range(0, len(others), PER_HI):
        chunk = others[chunk_start : chunk_start + PER_HI]
        seg.add("HI", *[("ABF", code, None, None, None, None, None, None, p) for code, p in chunk])


def _procedures(seg: Segments, enc: Encounter) -> None:
    """ICD-10-PCS: HI*BBR principal, then HI*BBQ in segments of twelve; each needs a date."""
    eid = enc.id
    procedures = enc.procedures or []
    if len(procedures) > MAX_OTHER_PROCEDURES + 1:
        raise ClaimError(
            "procedures",
            f"{len(procedures)} procedures exceed the 837I limit of {MAX_OTHER_PROCEDURES + 1} (1 principal + 24 other)",
            encounter_id=eid,
        )
    composites = []
    for index, proc in enumerate(procedures):
        code = icd_code(proc.code)
        if len(code) != 7 or not code.isalnum():
            raise ClaimError(
                f"procedures[{index}].code",
                f"{proc.code!r} is not a 7-character ICD-10-PCS code",
                encounter_id=eid,
            )
        if proc.date is None:
            raise ClaimError(
                f"procedures[{index}].date",
                "a procedure date is required (HI BBR/BBQ D8)",
                encounter_id=eid,
            )
        composites.append((code, d8(proc.date)))
    if not composites:
        return
    code, date = composites[0]
    seg.add("HI", ("BBR", code, "D8", date))
    others = composites[1:]
    for chunk_start in range(0, len(others), PER_HI):
        chunk = others[chunk_start : chunk_start + PER_HI]
        seg.add("HI", *[("BBQ", c, "D8", d) for c, d in chunk])


def _service_line(seg: Segments, enc: Encounter, number: int, line: Line) -> None:
    """LX, SV2 (revenue code, optional HC composite, charge, UN, units), DTP*472, 2410."""
    eid = enc.id
    field = f"lines[{number - 1}]"
    revenue = (line.revenue_code or "").strip()
    if len(revenue) == 3 and revenue.isdigit():
        revenue = "0" + revenue
    if not _REVENUE.match(revenue):
        raise ClaimError(
            f"{field}.revenue_code",
            f"{line.revenue_code!r} is not a 4-digit revenue code (SV201)",
            encounter_id=eid,
        )
    code = line.code.strip().upper()
    procedure = None
    if code:
        if not _HCPCS.match(code):
            raise ClaimError(
                f"{field}.code", f"{line.code!r} is not a CPT/HCPCS code", encounter_id=eid
            )
        modifiers = [m.strip().upper() for m in line.modifiers]
        for m in modifiers:
            if not _MODIFIER.match(m):
                raise ClaimError(
                    f"{field}.modifiers", f"{m!r} is not a two-character modifier", encounter_id=eid
                )
        procedure = ("HC", code, *modifiers)
    elif line.modifiers:
        raise ClaimError(
            f"{field}.modifiers", "modifiers need a HCPCS code (SV202)", encounter_id=eid
        )
    seg.add("LX", str(number))
    seg.add("SV2", revenue, procedure, amount(line.charge), "UN", quantity(line.units))
    service_date = line.service_date or (enc.service_date if not enc.admission_date else None)
    if service_date is not None:
        seg.add("DTP", "472", "D8", d8(service_date))
    if line.ndc:
        drug_identification(seg, line, field, eid)
