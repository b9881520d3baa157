"""Write an :class:`~medcoder.claims.model.Encounter` as an X12 5010 837P or 837I claim.

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

from medcoder.claims.model import Encounter
from medcoder.claims.npi import npi_is_valid
from medcoder.claims.x12_837i import claim_loop_837i
from medcoder.claims.x12_837p import claim_loop_837p
from medcoder.claims.x12_envelope import (
    VERSION_837I,
    VERSION_837P,
    ClaimError,
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

__all__ = ["ClaimError", "npi_is_valid", "write_837i", "write_837p"]

#: SBR09 claim filing indicator codes allowed by both 5010 837 guides.
FILING_INDICATORS = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "16",
        "17",
        "AM",
        "BL",
        "CH",
        "CI",
        "DS",
        "FI",
        "HM",
        "LM",
        "MA",
        "MB",
        "MC",
        "OF",
        "TV",
        "VA",
        "WC",
        "ZZ",
    ]
)


def write_837p(
    encounter: Encounter,
    *,
    sender_id: str,
    receiver_id: str,
    control_number: int,
    created: dt.datetime,
    submitter_name: str | None = None,
    submitter_contact: str | None = None,
    submitter_phone: str | None = None,
    receiver_name: str | None = None,
    usage: str = "P",
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
    encounter: Encounter,
    *,
    sender_id: str,
    receiver_id: str,
    control_number: int,
    created: dt.datetime,
    submitter_name: str | None = None,
    submitter_contact: str | None = None,
    submitter_phone: str | None = None,
    receiver_name: str | None = None,
    usage: str = "P",
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
    enc: Encounter,
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
    _subscriber(seg, enc)
    return seg


def _billing_provider(seg: Segments, enc: Encounter, *, organisation: bool) -> None:
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


def _subscriber(seg: Segments, enc: Encounter) -> None:
    """2000B HL*22 + SBR, 2010BA subscriber (the patient: SBR02 18 self), 2010BB payer.

    The encounter model carries no separate subscriber, so only ``relationship`` 18 (self)
    can be written; the 2000C patient loop is never needed.
    """
    eid = enc.id
    payer = enc.payer
    patient = enc.patient
    if payer.relationship != "18":
        raise ClaimError(
            "payer.relationship",
            f"{payer.relationship!r}: only 18 (self) is supported; the encounter has no subscriber data for 2000C",
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
    seg.add("HL", "2", "1", "22", "0")
    seg.add("SBR", "P", "18", group, None, None, None, None, None, payer.filing_indicator)
    seg.add(
        "NM1",
        "IL",
        "1",
        text(patient.last_name, field="patient.last_name", max_len=60, encounter_id=eid),
        text(patient.first_name, field="patient.first_name", max_len=35, encounter_id=eid),
        None,
        None,
        None,
        "MI",
        member_id,
    )
    if patient.address is not None:
        address(seg, patient.address, "patient.address", eid)
    seg.add("DMG", "D8", patient.birth_date.strftime("%Y%m%d"), patient.sex)
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
