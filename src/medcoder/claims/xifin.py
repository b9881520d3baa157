"""Export coded lab/diagnostic encounters for XiFin RPM: an accession CSV and HL7 DFT^P03.

Why these two shapes (docs/domain.md §8): XiFin bills by *accession* (one requisition/order),
and its interface specifications are not public; comparable lab billing systems take
charges as an HL7 v2 DFT^P03 "charge interface" or a flat file. So we export both, with
every field docs/domain.md §8 lists per accession and per test, and no XiFin-only guesses.

Encounter mapping (the model allows extra fields; nothing here renames one):

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
from collections.abc import Iterable
from decimal import Decimal

from medcoder.claims.model import Encounter, Line, Provider
from medcoder.errors import UsageError

CSV_COLUMNS = (
    "accession_id", "patient_mrn", "patient_last", "patient_first", "patient_dob",
    "patient_sex", "date_of_service", "ordering_npi", "ordering_last", "ordering_first",
    "billing_npi", "clia", "payer_id", "payer_name", "member_id", "group_number",
    "line_number", "test_code", "modifier_1", "modifier_2", "modifier_3", "modifier_4",
    "units", "charge", "ndc", "dx_pointers", "test_dx_codes", "accession_dx_codes",
    "abn_signed",
)  # fmt: skip

_PATIENT_CLASS = {"outpatient": "O", "inpatient": "I", "emergency": "E", "observation": "O"}


def accession_id(encounter: Encounter) -> str:
    return str(getattr(encounter, "accession_id", None) or encounter.id)


def clia_number(encounter: Encounter) -> str | None:
    for provider in (encounter.billing_provider, encounter.rendering_provider):
        value = getattr(provider, "clia", None) if provider else None
        if value:
            return str(value).strip().upper()
    return None


def _ordering(encounter: Encounter) -> Provider:
    if encounter.referring_provider is None:
        raise UsageError(
            f"accession {accession_id(encounter)}: no ordering provider (referring_provider); "
            "an accession without an ordering NPI cannot be billed"
        )
    return encounter.referring_provider


def _tests(encounter: Encounter) -> list[Line]:
    lines = encounter.lines or []
    if not lines:
        raise UsageError(f"accession {accession_id(encounter)}: no tests (lines) to bill")
    for n, line in enumerate(lines, start=1):
        if not line.code:
            raise UsageError(
                f"accession {accession_id(encounter)} line {n}: no CPT/HCPCS test code"
            )
    return lines


def _dos(encounter: Encounter, line: Line) -> dt.date:
    dos = line.service_date or encounter.service_date or encounter.admission_date
    if dos is None:
        raise UsageError(f"accession {accession_id(encounter)}: no date of service")
    return dos


def _dx_codes(encounter: Encounter) -> list[str]:
    return [d.code.replace(".", "").upper() for d in encounter.diagnoses or []]


def _test_dx(encounter: Encounter, line: Line) -> list[str]:
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


def _abn_signed(encounter: Encounter, line: Line) -> bool | None:
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


def export_xifin_csv(encounters: Iterable[Encounter]) -> str:
    """The accession CSV (layout in the module docstring), header row first."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for enc in encounters:
        ordering = _ordering(enc)
        accession_dx = "|".join(_dx_codes(enc))
        for n, line in enumerate(_tests(enc), start=1):
            mods = [m.upper() for m in line.modifiers] + [""] * 4
            writer.writerow(
                (
                    accession_id(enc), enc.patient.id, enc.patient.last_name,
                    enc.patient.first_name, enc.patient.birth_date.isoformat(), enc.patient.sex,
                    _dos(enc, line).isoformat(), ordering.npi, ordering.last_name or ordering.name
                    or "", ordering.first_name or "", enc.billing_provider.npi,
                    clia_number(enc) or "", enc.payer.id, enc.payer.name, enc.payer.member_id,
                    enc.payer.group_number or "", n, line.code.upper(), *mods[:4],
                    _units(line.units), _amount(line.charge), line.ndc or "",
                    "|".join(map(str, line.dx_pointers)), "|".join(_test_dx(enc, line)),
                    accession_dx, "Y" if _abn_signed(enc, line) else "N",
                )
            )  # fmt: skip
    return buf.getvalue()


# --------------------------------------------------------------------------- HL7 v2.5


def _esc(value: object) -> str:
    """HL7 v2 escape of the delimiters (|^~\\&) in free text (v2.5 §2.7)."""
    text = "" if value is None else str(value)
    text = text.replace("\\", "\\E\\").replace("|", "\\F\\").replace("^", "\\S\\")
    return text.replace("~", "\\R\\").replace("&", "\\T\\").replace("\r", " ").replace("\n", " ")


def _seg(name: str, fields: dict[int, str]) -> str:
    """A segment from {field number: already-encoded value}; gaps are empty fields."""
    last = max((i for i, v in fields.items() if v), default=0)
    return "|".join([name, *(fields.get(i, "") for i in range(1, last + 1))])


def _xcn(provider: Provider) -> str:
    """XCN: 1 id ^ 2 family ^ 3 given ... 9 assigning authority ... 13 id type (NPI)."""
    family = _esc(provider.last_name or provider.name or "")
    parts = [_esc(provider.npi), family, _esc(provider.first_name or "")]
    parts += [""] * 5 + ["CMS", "", "", "", "NPI"]
    return "^".join(parts)


def _coding_system(code: str) -> str:
    """CPT (C4) is five digits or four digits + F/T/U; HCPCS Level II is a letter + 4 digits."""
    return "HCPCS" if code[:1].isalpha() else "C4"


def export_dft_p03(
    encounter: Encounter,
    *,
    sending_application: str = "MEDCODER",
    receiving_application: str = "XIFIN",
    control_id: str | None = None,
    timestamp: dt.datetime | None = None,
) -> str:
    """One HL7 v2.5 DFT^P03 charge message for the encounter's accession (``\\r`` ends segments)."""
    enc = encounter
    now = (timestamp or dt.datetime.now()).strftime("%Y%m%d%H%M%S")
    acc = _esc(accession_id(enc))
    ordering = _ordering(enc)
    tests = _tests(enc)
    p = enc.patient
    segs = [
        _seg("MSH", {
            1: "^~\\&", 2: _esc(sending_application), 3: _esc(enc.billing_provider.npi),
            4: _esc(receiving_application), 6: now, 8: "DFT^P03^DFT_P03",
            9: _esc(control_id or accession_id(enc)), 10: "P", 11: "2.5",
        }),
        _seg("EVN", {1: "P03", 2: now}),
        _seg("PID", {
            1: "1", 3: f"{_esc(p.id)}^^^^MR", 5: f"{_esc(p.last_name)}^{_esc(p.first_name)}",
            7: p.birth_date.strftime("%Y%m%d"), 8: p.sex, **_pid_address(enc),
        }),
        _seg("PV1", {
            1: "1", 2: _PATIENT_CLASS.get(enc.setting, "O"), 8: _xcn(ordering), 19: acc,
        }),
    ]  # fmt: skip
    for n, line in enumerate(tests, start=1):
        code = line.code.upper()
        system = _coding_system(code)
        abn = _abn_signed(enc, line)
        segs.append(
            _seg("FT1", {
                1: str(n), 2: f"{acc}-{n}", 4: _dos(enc, line).strftime("%Y%m%d"), 6: "CG",
                7: f"{_esc(code)}^^{system}", 10: _units(line.units),
                11: _amount(line.charge),
                19: "~".join(f"{c}^^I10" for c in _test_dx(enc, line)),
                20: _xcn(enc.billing_provider), 21: _xcn(ordering),
                25: f"{_esc(code)}^^{system}",
                26: "~".join(f"{_esc(m.upper())}^^{system}" for m in line.modifiers),
                27: {True: "3", False: "4", None: ""}[abn], 29: _esc(line.ndc or ""),
            })
        )  # fmt: skip
    for n, code in enumerate(_dx_codes(enc), start=1):
        segs.append(_seg("DG1", {1: str(n), 3: f"{_esc(code)}^^I10", 6: "F", 15: str(n)}))
    payer = enc.payer
    segs.append(
        _seg("IN1", {
            1: "1", 2: _esc(payer.filing_indicator), 3: _esc(payer.id), 4: _esc(payer.name),
            8: _esc(payer.group_number or ""), 36: _esc(payer.member_id),
        })
    )  # fmt: skip
    return "\r".join(segs) + "\r"


def _pid_address(enc: Encounter) -> dict[int, str]:
    a = enc.patient.address
    if a is None:
        return {}
    return {11: "^".join(_esc(v or "") for v in (a.line1, a.line2, a.city, a.state, a.zip))}
