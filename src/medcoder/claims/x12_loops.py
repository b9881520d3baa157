"""Claim-loop pieces the 837P and 837I share: frequency and payer claim number, other payers
(coordination of benefits, loops 2320/2330), a named location (service facility), the line
item control number and the drug loop (2410).

Each function appends segments in the order of the pyx12 maps ``837.5010.X222.A1.xml`` and
``837Q3.I.5010.X223.A1.xml`` and raises :class:`ClaimError` naming the encounter field that
keeps the segment from being written as the guide requires.
"""

from __future__ import annotations

from medcoder.claims.errors import ClaimError
from medcoder.claims.model import ClaimEncounter, ClaimPatient, Line, OtherPayer, Person, Provider
from medcoder.claims.npi import npi_is_valid
from medcoder.claims.x12_envelope import (
    FILING_INDICATORS,
    Segments,
    address,
    amount,
    d8,
    identifier,
    quantity,
    text,
)

#: Patient relationships to a subscriber other than self (PAT01 / SBR02 in 2320).
DEPENDENT_RELATIONSHIPS = frozenset({"01", "19", "20", "21", "39", "40", "53", "G8"})
REPLACEMENT_OR_VOID = frozenset({"7", "8"})
#: REF*6R is at most 50 characters.
MAX_LINE_CONTROL = 50


def frequency_reference(seg: Segments, enc: ClaimEncounter, frequency: str) -> None:
    """REF*F8: a replacement (7) or void (8) names the payer's number of the claim it changes.

    Payers match a corrected claim to the original by this number (835 CLP07); without it
    a 7 or 8 is rejected or, worse, paid as a second original.
    """
    if frequency not in REPLACEMENT_OR_VOID:
        if enc.payer_claim_control_number:
            raise ClaimError(
                "payer_claim_control_number",
                f"is only sent on a replacement (7) or void (8) claim; the frequency is {frequency}",
                encounter_id=enc.id,
            )
        return
    if not enc.payer_claim_control_number:
        raise ClaimError(
            "payer_claim_control_number",
            f"a {'replacement' if frequency == '7' else 'void'} claim (frequency {frequency}) "
            "needs the payer's claim control number of the original (835 CLP07; 2300 REF*F8)",
            encounter_id=enc.id,
        )
    seg.add(
        "REF",
        "F8",
        identifier(
            enc.payer_claim_control_number,
            field="payer_claim_control_number",
            max_len=50,
            encounter_id=enc.id,
        ),
    )


def person_name_nm1(
    seg: Segments,
    entity: str,
    person: Person | ClaimPatient,
    field: str,
    eid: str,
    *,
    id_qualifier: str | None = None,
    id_value: str | None = None,
) -> None:
    """NM1 for a person by name (subscriber, patient), with an id when the loop carries one."""
    seg.add(
        "NM1",
        entity,
        "1",
        text(person.last_name, field=f"{field}.last_name", max_len=60, encounter_id=eid),
        text(person.first_name, field=f"{field}.first_name", max_len=35, encounter_id=eid),
        None,
        None,
        None,
        id_qualifier,
        id_value,
    )


def demographics(seg: Segments, person: Person | ClaimPatient, field: str, eid: str) -> None:
    """DMG: birth date and sex (U when not known)."""
    if person.birth_date is None:
        raise ClaimError(f"{field}.birth_date", "a birth date is required (DMG)", encounter_id=eid)
    seg.add("DMG", "D8", d8(person.birth_date), person.sex or "U")


def other_payers(seg: Segments, enc: ClaimEncounter, *, institutional: bool) -> None:
    """Loops 2320 (other subscriber) and 2330A/2330B (other subscriber and payer) per other
    payer: its order (SBR01), the patient's relationship to its subscriber, group, filing
    indicator, what it paid (AMT*D), the benefits-assignment and release flags (OI), the
    subscriber's name and member id and the payer's name and id."""
    orders = [enc.payer.responsibility] + [p.responsibility for p in enc.other_payers]
    if len(set(orders)) != len(orders):
        raise ClaimError(
            "other_payers",
            f"payer responsibilities {orders} repeat; each payer needs its own place "
            "(P primary, S secondary, T tertiary)",
            encounter_id=enc.id,
        )
    for index, other in enumerate(enc.other_payers):
        _other_payer(seg, enc, index, other, institutional=institutional)


def _other_payer(
    seg: Segments, enc: ClaimEncounter, index: int, other: OtherPayer, *, institutional: bool
) -> None:
    eid = enc.id
    field = f"other_payers[{index}]"
    if other.filing_indicator not in FILING_INDICATORS:
        raise ClaimError(
            f"{field}.filing_indicator",
            f"{other.filing_indicator!r} is not a 5010 claim filing indicator",
            encounter_id=eid,
        )
    if other.relationship != "18" and other.relationship not in DEPENDENT_RELATIONSHIPS:
        raise ClaimError(
            f"{field}.relationship",
            f"{other.relationship!r} is not an X12 individual relationship code",
            encounter_id=eid,
        )
    if other.relationship != "18" and other.subscriber is None:
        raise ClaimError(
            f"{field}.subscriber",
            "the other payer's subscriber is not the patient: give the subscriber's name (2330A)",
            encounter_id=eid,
        )
    group = (
        identifier(other.group_number, field=f"{field}.group_number", max_len=50, encounter_id=eid)
        if other.group_number
        else None
    )
    seg.add(
        "SBR",
        other.responsibility,
        other.relationship,
        group,
        None,
        None,
        None,
        None,
        None,
        other.filing_indicator,
    )
    if other.paid_amount is not None:
        seg.add("AMT", "D", amount(other.paid_amount))
    # OI03 benefits assigned Y, OI06 release of information Y (as CLM08/CLM09).
    seg.add("OI", None, None, "Y", None, None, "Y")
    subscriber = other.subscriber or enc.patient
    person_name_nm1(
        seg,
        "IL",
        subscriber,
        f"{field}.subscriber" if other.subscriber else "patient",
        eid,
        id_qualifier="MI",
        id_value=identifier(
            other.member_id, field=f"{field}.member_id", max_len=80, encounter_id=eid
        ),
    )
    seg.add(
        "NM1",
        "PR",
        "2",
        text(other.name, field=f"{field}.name", max_len=60, encounter_id=eid),
        None,
        None,
        None,
        None,
        "PI",
        identifier(other.id, field=f"{field}.id", max_len=80, encounter_id=eid),
    )


def location(seg: Segments, entity: str, place: Provider, field: str, eid: str) -> None:
    """A named location (service facility, NM1*77): organisation name, NPI when it has one,
    and its address, which the loop requires."""
    if not place.name:
        raise ClaimError(f"{field}.name", "the location needs a name", encounter_id=eid)
    if place.address is None:
        raise ClaimError(f"{field}.address", "the location needs an address", encounter_id=eid)
    npi = place.npi or None
    if npi and not npi_is_valid(npi):
        raise ClaimError(
            f"{field}.npi", f"{npi!r} fails the NPI Luhn check digit", encounter_id=eid
        )
    seg.add(
        "NM1",
        entity,
        "2",
        text(place.name, field=f"{field}.name", max_len=60, encounter_id=eid),
        None,
        None,
        None,
        None,
        "XX" if npi else None,
        npi,
    )
    address(seg, place.address, f"{field}.address", eid)


def line_control_number(enc: ClaimEncounter, number: int, line: Line) -> str:
    """REF*6R: the line's own control number, else ``<claim id>-<line number>``.

    The payer returns it on the 835 line (2110 REF*6R), so payments and denials are matched
    to the line sent, not guessed from the procedure code (which repeats on many claims).
    """
    value = line.control_number or f"{enc.id}-{number}"
    return identifier(
        value,
        field=f"lines[{number - 1}].control_number",
        max_len=MAX_LINE_CONTROL,
        encounter_id=enc.id,
    )


def drug_identification(seg: Segments, line: Line, field: str, eid: str) -> None:
    """Loop 2410: LIN*N4 (11-digit NDC, 5-4-2 without hyphens) and CTP with the quantity of
    the drug in its own unit (CTP04/CTP05), which is not the HCPCS billing units: 1 unit of
    J1100 (dexamethasone 1 mg) may be 0.25 ML of a 4 mg/mL vial."""
    ndc = (line.ndc or "").replace("-", "")
    if len(ndc) != 11 or not ndc.isdigit():
        raise ClaimError(f"{field}.ndc", f"{line.ndc!r} is not an 11-digit NDC", encounter_id=eid)
    if line.ndc_quantity is None or line.ndc_unit is None:
        raise ClaimError(
            f"{field}.ndc_quantity",
            "an NDC needs the quantity dispensed and its unit (ndc_quantity, ndc_unit: F2, "
            "GR, ME, ML or UN; 837 CTP04/CTP05), which differ from the HCPCS units",
            encounter_id=eid,
        )
    seg.add("LIN", None, "N4", ndc)
    seg.add("CTP", None, None, None, quantity(line.ndc_quantity), (line.ndc_unit,))


def same_provider(a: Provider | None, b: Provider | None) -> bool:
    return a is not None and b is not None and a.npi.strip() == b.npi.strip()
