"""Write an :class:`~medcoder.claims.model.ClaimEncounter` as an X12 5010 837P or 837I claim.

The public functions return the interchange as a string (no I/O). The loops shared by both
transactions live here (BHT, 1000A submitter, 1000B receiver, 2000A/2010AA billing provider,
2000B/2010BA/2010BB subscriber and payer); the claim loops (2300, 2310x, 2400) live in
:mod:`.x12_837p` and :mod:`.x12_837i`. Loop and segment names follow the pyx12 maps
``837.5010.X222.A1.xml`` and ``837Q3.I.5010.X223.A1.xml``.

Anything that would make the file invalid, or that would have to be dropped to fit (a 13th
diagnosis on an 837P, a fifth pointer on a line), raises :class:`ClaimError` naming the field,
so the caller fixes the encounter instead of sending a claim that differs from the chart.
"""

from __future__ import annotations

import datetime as dt

from medcoder.claims.errors import ClaimError
from medcoder.claims.model import ClaimEncounter
from medcoder.claims.npi import npi_is_valid
from medcoder.claims.x12_837i import claim_loop_837i
from medcoder.claims.x12_837p import claim_loop_837p
from medcoder.claims.x12_envelope import (
    FILING_INDICATORS,
    VERSION_837I,
    VERSION_837P,
    Segments,
    address,
    envelope,
    identifier,
    person_name,
    provider_nm1,
    taxonomy,
    text,
    zip_code,
)
from medcoder.claims.x12_loops import DEPENDENT_RELATIONSHIPS, demographics, person_name_nm1

__all__ = ["ClaimError", "npi_is_valid", "write_837i", "write_837p"]


def write_837p(
    encounter: ClaimEncounter,
    *,
    sender_id: str,
    receiver_id: str,
    control_number: int,
    created: dt.datetime,
    submitter_name: str | None = None,
    submitter_contact: str | None = None,
    submitter_phone: str | None = None,
    receiver_name: str | None = None,
    usage: str = "T",
) -> str:
    """The encounter as a 005010X222A1 professional claim interchange.

    ``submitter_*`` default to the billing provider (its ``name`` and ``phone``) and
    ``receiver_name`` to the payer name; 1000A PER (submitter contact) is required by the
    guide, so a phone must come from one or the other.
    """
    body = _body(
        encounter,
        sender_id=sender_id,
        receiver_id=receiver_id,
        created=created,
        submitter_name=submitter_name,
        submitter_contact=submitter_contact,
        submitter_phone=submitter_phone,
        receiver_name=receiver_name,
        institutional=False,
    )
    claim_loop_837p(body, encounter)
    return envelope(
        body,
        version=VERSION_837P,
        sender_id=sender_id,
        receiver_id=receiver_id,
        control_number=control_number,
        created=created,
        usage=usage,
    )


def write_837i(
    encounter: ClaimEncounter,
    *,
    sender_id: str,
    receiver_id: str,
    control_number: int,
    created: dt.datetime,
    submitter_name: str | None = None,
    submitter_contact: str | None = None,
    submitter_phone: str | None = None,
    receiver_name: str | None = None,
    usage: str = "T",
) -> str:
    """The encounter as a 005010X223A2 institutional claim interchange (see write_837p)."""
    body = _body(
        encounter,
        sender_id=sender_id,
        receiver_id=receiver_id,
        created=created,
        submitter_name=submitter_name,
        submitter_contact=submitter_contact,
        submitter_phone=submitter_phone,
        receiver_name=receiver_name,
        institutional=True,
    )
    claim_loop_837i(body, encounter)
    return envelope(
        body,
        version=VERSION_837I,
        sender_id=sender_id,
        receiver_id=receiver_id,
        control_number=control_number,
        created=created,
        usage=usage,
    )


def _body(
    enc: ClaimEncounter,
    *,
    sender_id: str,
    receiver_id: str,
    created: dt.datetime,
    submitter_name: str | None,
    submitter_contact: str | None,
    submitter_phone: str | None,
    receiver_name: str | None,
    institutional: bool,
) -> Segments:
    """BHT through 2010BB: everything before the claim loop."""
    seg = Segments()
    eid = enc.id
    reference = identifier(enc.id, field="id", max_len=30, encounter_id=eid)
    # BHT: 0019 = information source/subscriber/dependent structure, 00 = original, CH = chargeable.
    seg.add(
        "BHT", "0019", "00", reference, created.strftime("%Y%m%d"), created.strftime("%H%M"), "CH"
    )

    bp = enc.billing_provider
    name = submitter_name or bp.name or person_name(bp)
    phone = submitter_phone or bp.phone
    if not phone:
        raise ClaimError(
            "billing_provider.phone",
            "1000A PER submitter contact needs a phone (pass submitter_phone or set billing_provider.phone)",
            encounter_id=eid,
        )
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) != 10:
        raise ClaimError(
            "billing_provider.phone", f"{phone!r} is not a 10-digit phone number", encounter_id=eid
        )
    # 1000A Submitter: NM1*41 (non-person), NM108 46 = ETIN assigned by the receiver.
    seg.add(
        "NM1",
        "41",
        "2",
        text(name, field="submitter_name", max_len=60, encounter_id=eid),
        None,
        None,
        None,
        None,
        "46",
        identifier(sender_id, field="sender_id", max_len=80),
    )
    contact = text(
        submitter_contact or name, field="submitter_contact", max_len=60, encounter_id=eid
    )
    seg.add("PER", "IC", contact, "TE", digits)
    # 1000B Receiver.
    rname = receiver_name or enc.payer.name
    seg.add(
        "NM1",
        "40",
        "2",
        text(rname, field="receiver_name", max_len=60, encounter_id=eid),
        None,
        None,
        None,
        None,
        "46",
        identifier(receiver_id, field="receiver_id", max_len=80),
    )

    _billing_provider(seg, enc, organisation=institutional)
    _pay_to(seg, enc)
    _subscriber(seg, enc)
    return seg


def _billing_provider(seg: Segments, enc: ClaimEncounter, *, organisation: bool) -> None:
    """2000A HL*20 with PRV*BI taxonomy, 2010AA NM1*85 + N3/N4 + REF*EI (tax id required)."""
    eid = enc.id
    bp = enc.billing_provider
    seg.add("HL", "1", None, "20", "1")
    if bp.taxonomy:
        seg.add("PRV", "BI", "PXC", taxonomy(bp.taxonomy, "billing_provider.taxonomy", eid))
    provider_nm1(seg, "85", bp, "billing_provider", eid, organisation=organisation)
    if bp.address is None:
        raise ClaimError(
            "billing_provider.address", "2010AA N3/N4 address is required", encounter_id=eid
        )
    if len(zip_code(bp.address.zip)) != 9:
        raise ClaimError(
            "billing_provider.address.zip",
            "the 2010AA billing provider ZIP code must be the full nine digits (ZIP+4)",
            encounter_id=eid,
        )
    address(seg, bp.address, "billing_provider.address", eid)
    if not bp.tax_id:
        raise ClaimError(
            "billing_provider.tax_id", "2010AA REF*EI tax id (EIN) is required", encounter_id=eid
        )
    ein = bp.tax_id.replace("-", "")
    if len(ein) != 9 or not ein.isdigit():
        raise ClaimError(
            "billing_provider.tax_id", f"{bp.tax_id!r} is not a 9-digit EIN", encounter_id=eid
        )
    seg.add("REF", "EI", ein)


def _pay_to(seg: Segments, enc: ClaimEncounter) -> None:
    """2010AB pay-to address, when payment goes elsewhere than the billing address."""
    if enc.pay_to_address is None:
        return
    seg.add("NM1", "87", "2")
    address(seg, enc.pay_to_address, "pay_to_address", enc.id)


def _subscriber(seg: Segments, enc: ClaimEncounter) -> None:
    """2000B HL*22 + SBR, 2010BA subscriber, 2010BB payer; 2000C/2010CA for a dependent.

    When the patient is the subscriber (relationship 18) the patient is 2010BA, with the
    address and demographics the guide then requires. Otherwise 2010BA is the subscriber
    (``payer.subscriber``) and the patient gets the 2000C loop (PAT01 relationship) with
    2010CA name, address and demographics, all required there; the claim loop follows it.
    """
    eid = enc.id
    payer = enc.payer
    patient = enc.patient
    dependent = payer.relationship != "18"
    if dependent and payer.relationship not in DEPENDENT_RELATIONSHIPS:
        raise ClaimError(
            "payer.relationship",
            f"{payer.relationship!r} is not an X12 patient relationship code "
            f"(18 self or {', '.join(sorted(DEPENDENT_RELATIONSHIPS))})",
            encounter_id=eid,
        )
    if dependent and payer.subscriber is None:
        raise ClaimError(
            "payer.subscriber",
            f"relationship {payer.relationship}: the patient is not the subscriber, so the "
            "subscriber's name is required (2010BA)",
            encounter_id=eid,
        )
    if payer.filing_indicator not in FILING_INDICATORS:
        raise ClaimError(
            "payer.filing_indicator",
            f"{payer.filing_indicator!r} is not a 5010 SBR09 claim filing indicator",
            encounter_id=eid,
        )
    member_id = identifier(payer.member_id, field="payer.member_id", max_len=80, encounter_id=eid)
    group = (
        identifier(payer.group_number, field="payer.group_number", max_len=50, encounter_id=eid)
        if payer.group_number
        else None
    )
    seg.add("HL", "2", "1", "22", "1" if dependent else "0")
    seg.add(
        "SBR",
        payer.responsibility,
        None if dependent else "18",
        group,
        None,
        None,
        None,
        None,
        None,
        payer.filing_indicator,
    )
    if dependent:
        subscriber = payer.subscriber
        assert subscriber is not None
        person_name_nm1(
            seg, "IL", subscriber, "payer.subscriber", eid, id_qualifier="MI", id_value=member_id
        )
        if subscriber.address is not None:
            address(seg, subscriber.address, "payer.subscriber.address", eid)
        if subscriber.birth_date is not None:
            demographics(seg, subscriber, "payer.subscriber", eid)
    else:
        person_name_nm1(seg, "IL", patient, "patient", eid, id_qualifier="MI", id_value=member_id)
        _patient_address(seg, enc)
        demographics(seg, patient, "patient", eid)
    seg.add(
        "NM1",
        "PR",
        "2",
        text(payer.name, field="payer.name", max_len=60, encounter_id=eid),
        None,
        None,
        None,
        None,
        "PI",
        identifier(payer.id, field="payer.id", max_len=80, encounter_id=eid),
    )
    if dependent:
        seg.add("HL", "3", "2", "23", "0")
        seg.add("PAT", payer.relationship)
        person_name_nm1(seg, "QC", patient, "patient", eid)
        _patient_address(seg, enc)
        demographics(seg, patient, "patient", eid)


def _patient_address(seg: Segments, enc: ClaimEncounter) -> None:
    """The patient's N3/N4: required in 2010BA when the patient is the subscriber and in
    2010CA otherwise; a claim without it is rejected at the front end."""
    if enc.patient.address is None:
        raise ClaimError(
            "patient.address",
            "the patient's address is required (2010BA/2010CA N3/N4)",
            encounter_id=enc.id,
        )
    address(seg, enc.patient.address, "patient.address", enc.id)
