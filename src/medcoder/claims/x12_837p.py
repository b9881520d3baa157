"""The 837P (005010X222A1) claim loops: 2300 claim, 2310A-D providers and facility, 2320/2330
other payers, 2400 lines with 2410 drugs and 2420E ordering provider.

Limits enforced here are the guide's, not ours: HI carries one ABK (principal/first) plus at
most eleven ABF composites (HI01-HI12, 12 diagnoses); SV107 carries at most four pointers, each
1-12 and pointing at a diagnosis that exists; SV101 at most four modifiers; loop 2400 repeats at
most 50 times. Exceeding one raises :class:`ClaimError` rather than dropping data.
"""

from __future__ import annotations

import re

from medcoder.claims.errors import ClaimError
from medcoder.claims.model import ClaimEncounter, Line, Provider
from medcoder.claims.x12_envelope import (
    Segments,
    amount,
    d8,
    icd_code,
    identifier,
    provider_nm1,
    quantity,
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
)

MAX_DIAGNOSES = 12
MAX_POINTERS = 4
MAX_LINES = 50
_MODIFIER = re.compile(r"^[A-Z0-9]{2}$")
_PROCEDURE = re.compile(r"^[A-Z0-9]{5}$")
_POS = re.compile(r"^\d{2}$")
_CLIA = re.compile(r"^\d{2}D\d{7}$")


def claim_loop_837p(seg: Segments, enc: ClaimEncounter) -> None:
    """Append loop 2300 (CLM, DTP, REF, HI), the 2310A-D providers and facility, 2320/2330
    other payers and the 2400 lines."""
    eid = enc.id
    require_lines(enc)
    lines = enc.lines or []
    if len(lines) > MAX_LINES:
        raise ClaimError(
            "lines",
            f"{len(lines)} lines exceed the 837P limit of {MAX_LINES} (loop 2400)",
            encounter_id=eid,
        )
    diagnoses = diagnosis_codes(enc)
    pos = _place_of_service(enc)
    claim_id = identifier(enc.id, field="id", max_len=38, encounter_id=eid)
    frequency = enc.claim_frequency()
    # CLM05: POS : B (place of service codes for professional claims) : frequency (1 original,
    # 7 replacement, 8 void). CLM06 provider signature Y, CLM07 assignment A, CLM08 benefits
    # assigned Y, CLM09 release Y.
    seg.add(
        "CLM",
        claim_id,
        amount(total_charge(enc)),
        None,
        None,
        (pos, "B", frequency),
        "Y",
        "A",
        "Y",
        "Y",
    )
    if enc.admission_date is not None and enc.setting == "inpatient":
        seg.add("DTP", "435", "D8", d8(enc.admission_date))
    if enc.discharge_date is not None and enc.setting == "inpatient":
        seg.add("DTP", "096", "D8", d8(enc.discharge_date))
    if enc.prior_authorization:
        seg.add(
            "REF",
            "G1",
            identifier(
                enc.prior_authorization, field="prior_authorization", max_len=50, encounter_id=eid
            ),
        )
    frequency_reference(seg, enc, frequency)
    if enc.clia_number:
        seg.add("REF", "X4", clia(enc.clia_number, eid))
    composites: list[tuple[str, str]] = [("ABK", diagnoses[0])]
    composites += [("ABF", code) for code in diagnoses[1:]]
    seg.add("HI", *composites)
    if enc.referring_provider is not None:
        person_provider(seg, "DN", enc.referring_provider, "referring_provider", eid)
    if enc.rendering_provider is not None:
        provider_nm1(seg, "82", enc.rendering_provider, "rendering_provider", eid)
        if enc.rendering_provider.taxonomy:
            seg.add(
                "PRV",
                "PE",
                "PXC",
                taxonomy(enc.rendering_provider.taxonomy, "rendering_provider.taxonomy", eid),
            )
    if enc.service_facility is not None:
        location(seg, "77", enc.service_facility, "service_facility", eid)
    if enc.supervising_provider is not None:
        person_provider(seg, "DQ", enc.supervising_provider, "supervising_provider", eid)
    other_payers(seg, enc, institutional=False)
    for number, line in enumerate(lines, start=1):
        _service_line(seg, enc, number, line, len(diagnoses), pos)


def clia(value: str, eid: str) -> str:
    """A CLIA certificate number: ten characters, the third a D (e.g. 05D0123456)."""
    clean = value.strip().upper()
    if not _CLIA.match(clean):
        raise ClaimError(
            "clia_number",
            f"{value!r} is not a CLIA number (10 characters like 05D0123456)",
            encounter_id=eid,
        )
    return clean


def person_provider(seg: Segments, entity: str, provider: Provider, field: str, eid: str) -> None:
    """Referring, supervising and ordering providers are people (NM102 1) in the 837P."""
    if not provider.last_name:
        raise ClaimError(
            f"{field}.last_name",
            "the provider's last and first name are required (NM102 1, a person)",
            encounter_id=eid,
        )
    provider_nm1(seg, entity, provider, field, eid)


def diagnosis_codes(enc: ClaimEncounter) -> list[str]:
    """The HI codes in claim order; at least one and at most twelve (HI is required)."""
    codes = [icd_code(d.code) for d in enc.diagnoses or []]
    if not codes:
        raise ClaimError(
            "diagnoses", "at least one diagnosis is required (2300 HI)", encounter_id=enc.id
        )
    if len(codes) > MAX_DIAGNOSES:
        raise ClaimError(
            "diagnoses",
            f"{len(codes)} diagnoses exceed the 837P limit of {MAX_DIAGNOSES} (HI01-HI12); "
            "split the claim or choose the diagnoses to report",
            encounter_id=enc.id,
        )
    for index, code in enumerate(codes):
        if not code.isalnum() or not 3 <= len(code) <= 7:
            raise ClaimError(
                f"diagnoses[{index}].code",
                f"{code!r} is not an ICD-10-CM code",
                encounter_id=enc.id,
            )
    return codes


def _place_of_service(enc: ClaimEncounter) -> str:
    """CLM05-1: the encounter's POS, else the first line's; two digits (CMS POS code set)."""
    pos = enc.place_of_service or next(
        (ln.place_of_service for ln in enc.lines or [] if ln.place_of_service), None
    )
    if not pos:
        raise ClaimError(
            "place_of_service", "a place of service is required for CLM05-1", encounter_id=enc.id
        )
    if not _POS.match(pos):
        raise ClaimError(
            "place_of_service",
            f"{pos!r} is not a two-digit place of service code",
            encounter_id=enc.id,
        )
    return pos


def _service_line(
    seg: Segments, enc: ClaimEncounter, number: int, line: Line, n_dx: int, claim_pos: str
) -> None:
    """LX, SV1 (HC composite, charge, UN, units, POS if it differs, pointers), DTP*472, 2410."""
    eid = enc.id
    field = f"lines[{number - 1}]"
    code = line.code.strip().upper()
    if not _PROCEDURE.match(code):
        raise ClaimError(
            f"{field}.code", f"{line.code!r} is not a CPT/HCPCS code", encounter_id=eid
        )
    modifiers = [m.strip().upper() for m in line.modifiers]
    for m in modifiers:
        if not _MODIFIER.match(m):
            raise ClaimError(
                f"{field}.modifiers", f"{m!r} is not a two-character modifier", encounter_id=eid
            )
    pointers = line.dx_pointers
    if not pointers:
        raise ClaimError(
            f"{field}.dx_pointers",
            "at least one diagnosis pointer is required (SV107)",
            encounter_id=eid,
        )
    if len(pointers) > MAX_POINTERS:
        raise ClaimError(
            f"{field}.dx_pointers",
            f"{len(pointers)} pointers exceed the limit of {MAX_POINTERS} (SV107-1..4)",
            encounter_id=eid,
        )
    for p in pointers:
        if not 1 <= p <= n_dx:
            raise ClaimError(
                f"{field}.dx_pointers",
                f"pointer {p} does not point at one of the {n_dx} diagnoses",
                encounter_id=eid,
            )
    if len(set(pointers)) != len(pointers):
        raise ClaimError(f"{field}.dx_pointers", "pointers must not repeat", encounter_id=eid)
    service_date = line.service_date or enc.service_date
    if service_date is None:
        raise ClaimError(
            f"{field}.service_date", "a service date is required (2400 DTP*472)", encounter_id=eid
        )
    line_pos = (
        line.place_of_service
        if line.place_of_service and line.place_of_service != claim_pos
        else None
    )
    if line_pos is not None and not _POS.match(line_pos):
        raise ClaimError(
            f"{field}.place_of_service",
            f"{line_pos!r} is not a two-digit POS code",
            encounter_id=eid,
        )
    seg.add("LX", str(number))
    seg.add(
        "SV1",
        ("HC", code, *modifiers),
        amount(line.charge),
        "UN",
        quantity(line.units),
        line_pos,
        None,
        tuple(str(p) for p in pointers),
    )
    seg.add("DTP", "472", "D8", d8(service_date))
    seg.add("REF", "6R", line_control_number(enc, number, line))
    if line.ndc:
        drug_identification(seg, line, field, eid)
    if enc.ordering_provider is not None:
        person_provider(seg, "DK", enc.ordering_provider, "ordering_provider", eid)
