"""Export coded lab/diagnostic encounters for XiFin RPM: an accession CSV and HL7 DFT^P03.

Why these two shapes: XiFin bills by *accession* (one requisition/order),
and its interface specifications are not public; comparable lab billing systems take
charges as an HL7 v2 DFT^P03 "charge interface" or a flat file. So we export both, with
every field such an accession carries (patient, insurance, ordering and performing
providers, diagnoses, tests with modifiers, ABN and NDC), and no XiFin-only guesses.

ClaimEncounter mapping (the model allows extra fields; nothing here renames one):

==================  ==========================================================
accession id        ``encounter.accession_id`` (extra field) else ``encounter.id``
date of service     ``line.service_date`` else ``service_date`` else ``admission_date``
ordering provider   ``referring_provider`` (837P 2310A DK/DN: the physician who
                    ordered the test); required, an accession without one is unbillable
CLIA                ``billing_provider.clia`` (extra field), else
                    ``rendering_provider.clia`` (the performing lab; 837P REF*X4)
tests               ``lines`` with a CPT/HCPCS ``code`` (revenue-only lines refused)
dx per test         ``line.dx_pointers`` (1-based into ``diagnoses``), as on the 837P
ABN                 ``encounter.abn_on_file`` or a GA modifier -> signed; GZ -> not
==================  ==========================================================

CSV layout (:func:`export_xifin_csv`): one row per test, accession columns repeated so each
row stands alone; ``|`` separates repeats inside a cell; ICD-10-CM codes without dots.

``accession_id, patient_mrn, patient_last, patient_first, patient_dob (YYYY-MM-DD),
patient_sex, date_of_service, ordering_npi, ordering_last, ordering_first, billing_npi, clia,
payer_id, payer_name, member_id, group_number, line_number, test_code, modifier_1..4, units,
charge, ndc, dx_pointers, test_dx_codes, accession_dx_codes, abn_signed (Y/N)``

DFT^P03 (:func:`export_dft_p03`, HL7 v2.5, ``\\r`` segment separator):
MSH, EVN (P03), PID (PID-3 MRN), PV1 (PV1-2 class, PV1-8 ordering, PV1-19 accession),
one FT1 per test, DG1 per diagnosis, IN1 payer, in the order of the v2.5 DFT_P03
structure. FT1 fields: 2 transaction id (accession-line), 4 date of service, 6 ``CG``
charge, 7 transaction code = the test code, 10 quantity, 11 extended amount, 19 the
test's diagnoses (``^^I10``), 20 performed by (billing NPI), 21 ordered by (NPI, XCN-13
``NPI``), 25 procedure code (``^^C4`` CPT, ``^^HCPCS``), 26 modifiers, 27 ABN code
(HL7 table 0339: 3 = signed, payer to be billed; 4 = not signed), 29 NDC.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from medcoder.claims.model import Address, ClaimEncounter, Line, Provider
from medcoder.errors import MedcoderError, UsageError

CSV_COLUMNS = (
    "accession_id", "patient_mrn", "patient_last", "patient_first", "patient_dob",
    "patient_sex", "date_of_service", "ordering_npi", "ordering_last", "ordering_first",
    "billing_npi", "clia", "payer_id", "payer_name", "member_id", "group_number",
    "line_number", "test_code", "modifier_1", "modifier_2", "modifier_3", "modifier_4",
    "units", "charge", "ndc", "dx_pointers", "test_dx_codes", "accession_dx_codes",
    "abn_signed",
)  # fmt: skip

_PATIENT_CLASS = {"outpatient": "O", "inpatient": "I", "emergency": "E", "observation": "O"}


def accession_id(encounter: ClaimEncounter) -> str:
    return str(getattr(encounter, "accession_id", None) or encounter.id)


def clia_number(encounter: ClaimEncounter) -> str | None:
    """The encounter's CLIA number, else one kept on the billing or rendering provider."""
    if encounter.clia_number:
        return encounter.clia_number.strip().upper()
    for provider in (encounter.billing_provider, encounter.rendering_provider):
        value = getattr(provider, "clia", None) if provider else None
        if value:
            return str(value).strip().upper()
    return None


def _ordering(encounter: ClaimEncounter) -> Provider:
    """The ordering physician (``ordering_provider``, else the referring provider)."""
    ordering = encounter.ordering_provider or encounter.referring_provider
    if ordering is None:
        raise UsageError(
            f"accession {accession_id(encounter)}: no ordering provider (ordering_provider); "
            "an accession without an ordering NPI cannot be billed"
        )
    return ordering


def _tests(encounter: ClaimEncounter) -> list[Line]:
    lines = encounter.lines or []
    if not lines:
        raise UsageError(f"accession {accession_id(encounter)}: no tests (lines) to bill")
    for n, line in enumerate(lines, start=1):
        if not line.code:
            raise UsageError(
                f"accession {accession_id(encounter)} line {n}: no CPT/HCPCS test code"
            )
    return lines


def _dos(encounter: ClaimEncounter, line: Line) -> dt.date:
    dos = line.service_date or encounter.service_date or encounter.admission_date
    if dos is None:
        raise UsageError(f"accession {accession_id(encounter)}: no date of service")
    return dos


def _dx_codes(encounter: ClaimEncounter) -> list[str]:
    return [d.code.replace(".", "").upper() for d in encounter.diagnoses or []]


def _test_dx(encounter: ClaimEncounter, line: Line) -> list[str]:
    codes = _dx_codes(encounter)
    out = []
    for p in line.dx_pointers:
        if not 1 <= p <= len(codes):
            raise UsageError(
                f"accession {accession_id(encounter)} test {line.code}: diagnosis pointer {p} "
                f"points at none of the {len(codes)} diagnoses"
            )
        out.append(codes[p - 1])
    return out


def _abn_signed(encounter: ClaimEncounter, line: Line) -> bool | None:
    """True: ABN signed (GA or abn_on_file); False: GZ (expected denial, no ABN); else None."""
    mods = {m.upper() for m in line.modifiers}
    if "GA" in mods or encounter.abn_on_file:
        return True
    if "GZ" in mods:
        return False
    return None


def _amount(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


def _units(value: Decimal) -> str:
    return format(value.normalize(), "f")


def export_xifin_csv(
    encounters: Iterable[ClaimEncounter],
    *,
    on_error: Callable[[ClaimEncounter, MedcoderError], None] | None = None,
) -> str:
    """The accession CSV (layout in the module docstring), header row first.

    An accession that cannot be billed raises, unless ``on_error`` is given: then it is
    handed the accession and its error and left out, and the others are exported.
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for enc in encounters:
        try:
            rows = _csv_rows(enc)
        except MedcoderError as exc:
            if on_error is None:
                raise
            on_error(enc, exc)
            continue
        writer.writerows(rows)
    return buf.getvalue()


def _csv_rows(enc: ClaimEncounter) -> list[tuple[object, ...]]:
    ordering = _ordering(enc)
    accession_dx = "|".join(_dx_codes(enc))
    rows = []
    for n, line in enumerate(_tests(enc), start=1):
        mods = [m.upper() for m in line.modifiers] + [""] * 4
        rows.append(
            (
                accession_id(enc), enc.patient.id, enc.patient.last_name,
                enc.patient.first_name,
                enc.patient.birth_date.isoformat() if enc.patient.birth_date else "",
                enc.patient.sex, _dos(enc, line).isoformat(), ordering.npi,
                ordering.last_name or ordering.name or "", ordering.first_name or "",
                enc.billing_provider.npi, clia_number(enc) or "", enc.payer.id, enc.payer.name,
                enc.payer.member_id, enc.payer.group_number or "", n, line.code.upper(),
                *mods[:4], _units(line.units), _amount(line.charge), line.ndc or "",
                "|".join(map(str, line.dx_pointers)), "|".join(_test_dx(enc, line)),
                accession_dx, "Y" if _abn_signed(enc, line) else "N",
            )
        )  # fmt: skip
    return rows


# --------------------------------------------------------------------------- HL7 v2.5


def _esc(value: object) -> str:
    """HL7 v2 escape of the delimiters (|^~\\&) in free text (v2.5 §2.7)."""
    text = "" if value is None else str(value)
    text = text.replace("\\", "\\E\\").replace("|", "\\F\\").replace("^", "\\S\\")
    return text.replace("~", "\\R\\").replace("&", "\\T\\").replace("\r", " ").replace("\n", " ")


def _xcn(provider: Provider) -> str:
    """XCN: 1 id ^ 2 family ^ 3 given ... 9 assigning authority ... 13 id type (NPI)."""
    family = _esc(provider.last_name or provider.name or "")
    parts = [_esc(provider.npi), family, _esc(provider.first_name or "")]
    parts += [""] * 5 + ["CMS", "", "", "", "NPI"]
    return "^".join(parts)


def _coding_system(code: str) -> str:
    """CPT (C4) is five digits or four digits + F/T/U; HCPCS Level II is a letter + 4 digits."""
    return "HCPCS" if code[:1].isalpha() else "C4"


#: X12 patient relationship (payer.relationship) -> HL7 table 0063 relationship.
_HL7_RELATIONSHIP = {"18": "SEL", "01": "SPO", "19": "CHD", "53": "DOM", "20": "EME"}


def _hl7_date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    return value.strftime("%Y%m%d%H%M" if isinstance(value, dt.datetime) else "%Y%m%d")


def _name(last: str | None, first: str | None) -> str:
    return f"{_esc(last or '')}^{_esc(first or '')}"


def _xad(a: Address | None) -> str:
    if a is None:
        return ""
    return "^".join(_esc(v or "") for v in (a.line1, a.line2, a.city, a.state, a.zip))


def export_dft_p03(
    encounter: ClaimEncounter,
    *,
    sending_application: str = "MEDCODER",
    receiving_application: str = "XIFIN",
    control_id: str | None = None,
    timestamp: dt.datetime | None = None,
) -> str:
    """One HL7 v2.5 DFT^P03 charge message for the encounter's accession (``\r`` ends
    segments), built and validated against the v2.5 DFT_P03 structure by hl7apy.

    Diagnoses go in HL7 form (ICD-10-CM with its dot, coding system ``I10``); the accession
    is ORC/OBR with the specimen (OBR-7 collected, OBR-14 received, OBR-15 source), the
    client account is the ordering facility (ORC-21), the guarantor is GT1 (the subscriber,
    or the patient when self) and every payer an IN1, in order of responsibility.
    """
    from hl7apy.consts import VALIDATION_LEVEL
    from hl7apy.core import Message

    enc = encounter
    now = (timestamp or dt.datetime.now()).strftime("%Y%m%d%H%M%S")
    acc = _esc(accession_id(enc))
    ordering = _ordering(enc)
    tests = _tests(enc)
    p = enc.patient
    msg = Message("DFT_P03", version="2.5", validation_level=VALIDATION_LEVEL.STRICT)
    msh = msg.msh
    msh.msh_3 = _esc(sending_application)
    msh.msh_4 = _esc(enc.billing_provider.npi)
    msh.msh_5 = _esc(receiving_application)
    msh.msh_7 = now
    msh.msh_9 = "DFT^P03^DFT_P03"
    msh.msh_10 = _esc(control_id or accession_id(enc))
    msh.msh_11 = "P"
    msg.add_segment("EVN")
    msg.evn.evn_1, msg.evn.evn_2 = "P03", now
    msg.add_segment("PID")
    pid = msg.pid
    pid.pid_1, pid.pid_3, pid.pid_5 = "1", f"{_esc(p.id)}^^^^MR", _name(p.last_name, p.first_name)
    if p.birth_date:
        pid.pid_7 = _hl7_date(p.birth_date)
    pid.pid_8 = p.sex
    if p.address:
        pid.pid_11 = _xad(p.address)
    pid.pid_18 = acc
    msg.add_segment("PV1")
    pv1 = msg.pv1
    pv1.pv1_1, pv1.pv1_2 = "1", _PATIENT_CLASS.get(enc.setting, "O")
    pv1.pv1_8, pv1.pv1_19 = _xcn(ordering), acc
    order = msg.add_group("DFT_P03_COMMON_ORDER")
    order.add_segment("ORC")
    order.orc.orc_1, order.orc.orc_3, order.orc.orc_12 = "NW", acc, _xcn(ordering)
    client = getattr(enc, "client_id", None)
    if client:
        order.orc.orc_21 = f"{_esc(getattr(enc, 'client_name', None) or '')}^^^^^^^^^{_esc(client)}"
    obr_group = order.add_group("DFT_P03_ORDER")
    obr_group.add_segment("OBR")
    obr = obr_group.obr
    obr.obr_1, obr.obr_3 = "1", acc
    obr.obr_4 = f"{_esc(tests[0].code.upper())}^^{_coding_system(tests[0].code.upper())}"
    specimen = enc.specimen
    if specimen is not None:
        if specimen.collected:
            obr.obr_7 = _hl7_date(specimen.collected)
        if specimen.received:
            obr.obr_14 = _hl7_date(specimen.received)
        if specimen.source:
            obr.obr_15 = _esc(specimen.source)
    obr.obr_16 = _xcn(ordering)
    for n, line in enumerate(tests, start=1):
        code = line.code.upper()
        system = _coding_system(code)
        abn = _abn_signed(enc, line)
        fin = msg.add_group("DFT_P03_FINANCIAL")
        fin.add_segment("FT1")
        ft1 = fin.ft1
        ft1.ft1_1, ft1.ft1_2 = str(n), f"{acc}-{n}"
        ft1.ft1_4 = _dos(enc, line).strftime("%Y%m%d")
        ft1.ft1_6, ft1.ft1_7 = "CG", f"{_esc(code)}^^{system}"
        ft1.ft1_10, ft1.ft1_11 = _units(line.units), _amount(line.charge)
        _repeat(ft1, "FT1_19", [f"{_esc(_hl7_icd(c))}^^I10" for c in _test_dx(enc, line)])
        ft1.ft1_20, ft1.ft1_21 = _xcn(enc.billing_provider), _xcn(ordering)
        ft1.ft1_25 = f"{_esc(code)}^^{system}"
        _repeat(ft1, "FT1_26", [f"{_esc(m.upper())}^^{system}" for m in line.modifiers])
        if abn is not None:
            ft1.ft1_27 = "3" if abn else "4"
        if line.ndc:
            ft1.ft1_29 = _esc(line.ndc)
    for n, code in enumerate(_dx_codes(enc), start=1):
        dg1 = msg.add_segment("DG1")
        dg1.dg1_1, dg1.dg1_3, dg1.dg1_6, dg1.dg1_15 = (
            str(n), f"{_esc(_hl7_icd(code))}^^I10", "F", str(n),
        )  # fmt: skip
    payer = enc.payer
    guarantor = payer.subscriber if payer.relationship != "18" and payer.subscriber else p
    gt1 = msg.add_segment("GT1")
    gt1.gt1_1, gt1.gt1_3 = "1", _name(guarantor.last_name, guarantor.first_name)
    if guarantor.address:
        gt1.gt1_5 = _xad(guarantor.address)
    if guarantor.birth_date:
        gt1.gt1_8 = _hl7_date(guarantor.birth_date)
    gt1.gt1_11 = _HL7_RELATIONSHIP.get(payer.relationship, "OTH")
    for n, plan in enumerate(sorted([payer, *enc.other_payers], key=lambda x: x.responsibility), 1):
        ins = msg.add_group("DFT_P03_INSURANCE")
        ins.add_segment("IN1")
        in1 = ins.in1
        in1.in1_1, in1.in1_2 = str(n), _esc(plan.filing_indicator)
        in1.in1_3, in1.in1_4 = _esc(plan.id), _esc(plan.name)
        if plan.group_number:
            in1.in1_8 = _esc(plan.group_number)
        insured = plan.subscriber if plan.relationship != "18" and plan.subscriber else p
        in1.in1_16 = _name(insured.last_name, insured.first_name)
        in1.in1_17 = _HL7_RELATIONSHIP.get(plan.relationship, "OTH")
        in1.in1_36 = _esc(plan.member_id)
    from hl7apy.exceptions import HL7apyException

    try:
        msg.validate()
    except HL7apyException as exc:
        raise MedcoderError(
            f"accession {accession_id(enc)}: the DFT^P03 fails HL7 v2.5 validation: {exc}"
        ) from exc
    return msg.to_er7() + "\r"


def _repeat(segment: Any, field: str, values: list[str]) -> None:
    """A repeating field, one repetition per value (hl7apy escapes a literal ``~``)."""
    for value in values:
        segment.add_field(field).value = value


def _hl7_icd(code: str) -> str:
    """ICD-10-CM in HL7 form: with its dot after the third character (E1165 -> E11.65)."""
    key = code.replace(".", "").upper()
    return key if len(key) <= 3 else f"{key[:3]}.{key[3:]}"
