"""The 837I (005010X223A2) claim loops: 2300 claim, 2310A-F providers and facility, 2320/2330
other payers, 2400 lines.

Institutional specifics (pyx12 map ``837Q3.I.5010.X223.A1.xml``): CLM05 is the type of bill
(facility type code : A : frequency); DTP*434 statement dates are required, DTP*435 admission
date on inpatient claims and DTP*096 the discharge hour on final inpatient claims; CL1 carries
admission type, point of origin and the required patient status; diagnoses go on separate HI
segments (ABK principal with POA in HI01-9, ABJ admitting, APR reasons for visit, ABN external
causes, up to two HI*ABF of twelve others each), ICD-10-PCS procedures on HI*BBR (principal)
and up to two HI*BBQ, each with its D8 date, then occurrence spans, occurrences, values and
conditions (BI, BH, BE, BG). Lines are SV2 (revenue code first, units in days for room and
board) with no diagnosis pointers; a line may carry a revenue code alone.
"""

from __future__ import annotations

import datetime as dt
import re

from medcoder.claims.errors import ClaimError
from medcoder.claims.model import ClaimEncounter, Line
from medcoder.claims.x12_837p import person_provider
from medcoder.claims.x12_envelope import (
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
from medcoder.claims.x12_loops import (
    drug_identification,
    frequency_reference,
    line_control_number,
    location,
    other_payers,
    same_provider,
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
#: Facility types whose claims report POA on every diagnosis (inpatient acute care, 11x).
POA_FACILITY_TYPES = frozenset({"11"})
#: Non-patient laboratory specimens (14x) have no admission or visit, so no point of origin.
NO_POINT_OF_ORIGIN = frozenset({"14"})
#: Frequencies of a final claim for the stay: 1 admit through discharge, 4 last interim.
FINAL_FREQUENCIES = frozenset({"1", "4"})
SURGICAL_PCS_SECTIONS = frozenset({"0", "1"})


def claim_loop_837i(seg: Segments, enc: ClaimEncounter) -> None:
    """Append 2300 (CLM, DTP, CL1, REF, HI), 2310A attending, 2310B operating, 2310D
    rendering, 2310E service facility, 2310F referring, 2320/2330 other payers and 2400."""
    eid = enc.id
    require_lines(enc)
    lines = enc.lines or []
    if len(lines) > MAX_LINES:
        raise ClaimError(
            "lines", f"{len(lines)} lines exceed the 837I limit of {MAX_LINES}", encounter_id=eid
        )
    facility, frequency = split_type_of_bill(enc)
    if enc.frequency and enc.frequency != frequency:
        raise ClaimError(
            "frequency",
            f"{enc.frequency} differs from the type of bill {enc.type_of_bill}, whose last "
            "digit is the frequency on an institutional claim",
            encounter_id=eid,
        )
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
    _dates(seg, enc, inpatient=inpatient, frequency=frequency)
    if not enc.discharge_status:
        raise ClaimError(
            "discharge_status", "patient status is required (2300 CL103)", encounter_id=eid
        )
    if inpatient and not enc.admission_type:
        raise ClaimError(
            "admission_type", "required on inpatient claims (2300 CL101)", encounter_id=eid
        )
    if not enc.admission_source and facility not in NO_POINT_OF_ORIGIN:
        raise ClaimError(
            "admission_source",
            "the point of origin for admission or visit is required (2300 CL102, UB-04 FL15)",
            encounter_id=eid,
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
    frequency_reference(seg, enc, frequency)
    poa_required = facility in POA_FACILITY_TYPES and not enc.poa_exempt
    _diagnoses(seg, enc, inpatient, poa_required)
    _procedures(seg, enc)
    _claim_codes(seg, enc)
    _providers(seg, enc)
    other_payers(seg, enc, institutional=True)
    for number, line in enumerate(lines, start=1):
        _service_line(seg, enc, number, line)


def _dates(seg: Segments, enc: ClaimEncounter, *, inpatient: bool, frequency: str) -> None:
    """DTP*096 discharge hour (final inpatient claims), DTP*434 statement period, DTP*435
    admission date (with its hour when known)."""
    eid = enc.id
    if enc.discharge_hour:
        seg.add("DTP", "096", "TM", enc.discharge_hour)
    elif inpatient and frequency in FINAL_FREQUENCIES and enc.discharge_date is not None:
        raise ClaimError(
            "discharge_hour",
            "the discharge hour (HHMM) is required on a final inpatient claim (2300 DTP*096, "
            "UB-04 FL16)",
            encounter_id=eid,
        )
    start, end = statement_period(enc)
    seg.add("DTP", "434", "RD8", rd8(start, end))
    if enc.admission_date is not None:
        if enc.admission_hour:
            seg.add("DTP", "435", "DT", d8(enc.admission_date) + enc.admission_hour)
        else:
            seg.add("DTP", "435", "D8", d8(enc.admission_date))
    elif inpatient:
        raise ClaimError(
            "admission_date", "required on inpatient claims (2300 DTP*435)", encounter_id=eid
        )


def _providers(seg: Segments, enc: ClaimEncounter) -> None:
    """2310A attending (required), 2310B operating (required with a surgical procedure code),
    2310D rendering (only when not the attending), 2310E service facility, 2310F referring."""
    eid = enc.id
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
    surgical = [p.code for p in enc.procedures or () if is_surgical_pcs(p.code)]
    if enc.operating_provider is not None:
        person_provider(seg, "72", enc.operating_provider, "operating_provider", eid)
    elif surgical:
        raise ClaimError(
            "operating_provider",
            f"surgical procedure {surgical[0]} needs the operating physician (2310B, UB-04 FL77)",
            encounter_id=eid,
        )
    rendering = enc.rendering_provider
    if rendering is not None and not same_provider(rendering, enc.attending_provider):
        provider_nm1(seg, "82", rendering, "rendering_provider", eid)
    if enc.service_facility is not None:
        location(seg, "77", enc.service_facility, "service_facility", eid)
    if enc.referring_provider is not None:
        person_provider(seg, "DN", enc.referring_provider, "referring_provider", eid)


def is_surgical_pcs(code: str) -> bool:
    """ICD-10-PCS sections 0 (medical and surgical) and 1 (obstetrics) hold the operations
    that need an operating physician on the claim."""
    return icd_code(code)[:1] in SURGICAL_PCS_SECTIONS


def is_external_cause(code: str) -> bool:
    """Chapter 20 (V00-Y99), reported on HI*ABN in the 837I, never as other diagnoses."""
    return icd_code(code)[:1] in ("V", "W", "X", "Y")


def _claim_codes(seg: Segments, enc: ClaimEncounter) -> None:
    """HI*BI occurrence spans, HI*BH occurrences, HI*BE values, HI*BG conditions (UB-04
    FL18-41), twelve per segment, at most two segments of each."""
    spans = [("BI", c.code, "RD8", rd8(c.start, c.end)) for c in enc.occurrence_spans]
    occurrences = [("BH", c.code, "D8", d8(c.date)) for c in enc.occurrence_codes]
    values = [("BE", c.code, None, None, amount(c.amount)) for c in enc.value_codes]
    conditions = [("BG", c) for c in enc.condition_codes]
    for composites in (spans, occurrences, values, conditions):
        for chunk_start in range(0, len(composites), PER_HI):
            seg.add("HI", *composites[chunk_start : chunk_start + PER_HI])


def split_type_of_bill(enc: ClaimEncounter) -> tuple[str, str]:
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


def statement_period(enc: ClaimEncounter) -> tuple[dt.date, dt.date]:
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


def _diagnoses(seg: Segments, enc: ClaimEncounter, inpatient: bool, poa_required: bool) -> None:
    """HI*ABK principal, HI*ABJ admitting, HI*APR reasons for visit, HI*ABN external causes,
    HI*ABF other diagnoses, each with its POA; a missing POA on a claim that reports POA is an
    error, not a blank (a blank reads as "exempt" and costs the HAC and CC/MCC logic)."""
    eid = enc.id
    diagnoses = enc.diagnoses or []
    if not diagnoses:
        raise ClaimError(
            "diagnoses", "a principal diagnosis is required (2300 HI*ABK)", encounter_id=eid
        )
    codes: list[tuple[str, str | None]] = []
    for index, dx in enumerate(diagnoses):
        code = icd_code(dx.code)
        if not code.isalnum() or not 3 <= len(code) <= 7:
            raise ClaimError(
                f"diagnoses[{index}].code",
                f"{dx.code!r} is not an ICD-10-CM code",
                encounter_id=eid,
            )
        if poa_required and dx.poa is None:
            raise ClaimError(
                f"diagnoses[{index}].poa",
                f"{dx.code} has no present-on-admission indicator: give Y, N, U or W, or 1 "
                "when the code is on the POA-exempt list (or set poa_exempt for a facility "
                "that does not report POA)",
                encounter_id=eid,
            )
        codes.append((code, _poa(dx.poa)))
    principal, poa = codes[0]
    external = [c for c in codes[1:] if is_external_cause(c[0])]
    others = [c for c in codes[1:] if not is_external_cause(c[0])]
    if len(others) > MAX_OTHER_DIAGNOSES or len(external) > PER_HI:
        raise ClaimError(
            "diagnoses",
            f"{len(others)} other diagnoses and {len(external)} external causes exceed the 837I "
            f"limits of {MAX_OTHER_DIAGNOSES} and {PER_HI}",
            encounter_id=eid,
        )
    seg.add("HI", ("ABK", principal, None, None, None, None, None, None, poa))
    if enc.admitting_diagnosis:
        seg.add("HI", ("ABJ", icd_code(enc.admitting_diagnosis)))
    elif inpatient:
        raise ClaimError(
            "admitting_diagnosis", "required on inpatient claims (2300 HI*ABJ)", encounter_id=eid
        )
    if enc.patient_reason_for_visit:
        seg.add("HI", *[("APR", icd_code(c)) for c in enc.patient_reason_for_visit])
    if external:
        seg.add("HI", *[("ABN", c, None, None, None, None, None, None, p) for c, p in external])
    for chunk_start in range(0, len(others), PER_HI):
        chunk = others[chunk_start : chunk_start + PER_HI]
        seg.add("HI", *[("ABF", code, None, None, None, None, None, None, p) for code, p in chunk])


def _procedures(seg: Segments, enc: ClaimEncounter) -> None:
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


def _service_line(seg: Segments, enc: ClaimEncounter, number: int, line: Line) -> None:
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
    seg.add(
        "SV2", revenue, procedure, amount(line.charge), unit_basis(revenue), quantity(line.units)
    )
    service_date = line.service_date or (enc.service_date if not enc.admission_date else None)
    if service_date is not None:
        seg.add("DTP", "472", "D8", d8(service_date))
    seg.add("REF", "6R", line_control_number(enc, number, line))
    if line.ndc:
        drug_identification(seg, line, field, eid)


def unit_basis(revenue_code: str) -> str:
    """SV204: DA (days) for accommodation revenue codes 0100-0219 (room and board), whose
    units are days; UN (units) otherwise."""
    return "DA" if "0100" <= revenue_code <= "0219" else "UN"
