"""UB-04 (CMS-1450) institutional claim form as PDF, from the same ClaimEncounter as the 837I.

Form locator (FL) numbers follow the NUBC UB-04 layout; the field mapping mirrors
:mod:`medcoder.claims.x12_837i` so paper and electronic claims agree:

* FL3a patient control no. = CLM01 (encounter id), FL3b medical record no. = patient id;
* FL4 type of bill with its leading zero (CLM05), FL6 statement period (DTP*434), FL12-17
  admission date/type/source and discharge status (DTP*435, CL1);
* FL42-47 revenue lines (SV2): revenue code, HCPCS + modifiers or the accommodation rate,
  service date (MMDDYY), units, total charges; NDCs go in FL43 (``N4`` + 11 digits + ``UN``
  + quantity). Twenty-two lines per page; line 23 carries "PAGE n OF m", the creation date
  and, on the last page only, revenue code 0001 with the claim total (NUBC FL42/47 line 23);
* FL66 qualifier 0 (ICD-10), FL67 principal and FL67A-Q other diagnoses with POA in the
  shaded cell (``1``/exempt printed blank, as HI0x-9 in 5010), FL69 admitting diagnosis, FL74
  principal and FL74a-e other ICD-10-PCS procedures with dates; codes carry no decimal point;
* FL76 attending, FL78 rendering (qualifier 82), FL79 referring (DN), FL81 taxonomy (B3).

The form has 18 diagnosis and 6 procedure slots; more raise :class:`ClaimError` (the 837I
allows 25 of each, so such a claim must go electronically) rather than being dropped.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from medcoder.claims.errors import ClaimError
from medcoder.claims.model import ClaimEncounter, Line, Provider
from medcoder.claims.npi import npi_is_valid
from medcoder.claims.pdf_forms import (
    Box,
    FormCanvas,
    digits_only,
    mmddyy,
    mmddyyyy,
    no_decimal,
    pages,
    phone_text,
    units_text,
)
from medcoder.claims.x12_837i import is_external_cause, split_type_of_bill, statement_period
from medcoder.claims.x12_envelope import require_lines, total_charge
from medcoder.claims.x12_loops import same_provider

LINES_PER_PAGE = 22
MAX_DIAGNOSES = 18  # FL67 + FL67A-Q
MAX_PROCEDURES = 6  # FL74 + FL74a-e
OTHER_DX = "ABCDEFGHIJKLMNOPQ"
L, R = 18.0, 594.0
LINES_TOP = 220.0
LINE_HEIGHT = 10.5

#: FL43 descriptions for common revenue code categories (first three digits).
REVENUE_CATEGORIES = {
    "011": "ROOM-BOARD/PRIVATE",
    "012": "ROOM-BOARD/SEMI",
    "020": "INTENSIVE CARE",
    "025": "PHARMACY",
    "027": "MED-SUR SUPPLIES",
    "030": "LABORATORY",
    "032": "DX X-RAY",
    "035": "CT SCAN",
    "036": "OR SERVICES",
    "042": "PHYSICAL THERAPY",
    "045": "EMERGENCY ROOM",
    "051": "CLINIC",
    "061": "MRI",
    "063": "DRUGS/DETAIL CODE",
    "073": "EKG/ECG",
    "076": "TREATMENT/OBSERVATION",
}


def _b(item: str, caption: str, x0: float, x1: float, top: float, h: float) -> Box:
    return Box(item, caption, x0, top, x1 - x0, h)


BOXES: dict[str, Box] = {
    b.item: b
    for b in [
        _b("1", "BILLING PROVIDER", L, 210, 18, 54),
        _b("2", "PAY-TO NAME AND ADDRESS", 210, 402, 18, 54),
        _b("3a", "PAT. CNTL #", 402, 540, 18, 18),
        _b("3b", "MED. REC. #", 402, 540, 36, 18),
        _b("4", "TYPE OF BILL", 540, R, 18, 36),
        _b("5", "FED. TAX NO.", 402, 468, 54, 18),
        _b("6", "STMT PERIOD FROM - THROUGH", 468, 570, 54, 18),
        _b("7", "", 570, R, 54, 18),
        _b("8", "PATIENT NAME", L, 230, 72, 28),
        _b("9", "PATIENT ADDRESS", 230, R, 72, 28),
        _b("10", "BIRTHDATE", L, 78, 100, 24),
        _b("11", "SEX", 78, 98, 100, 24),
        _b("12", "ADM DATE", 98, 148, 100, 24),
        _b("13", "HR", 148, 168, 100, 24),
        _b("14", "TYPE", 168, 188, 100, 24),
        _b("15", "SRC", 188, 208, 100, 24),
        _b("16", "DHR", 208, 228, 100, 24),
        _b("17", "STAT", 228, 250, 100, 24),
        _b("29", "ACDT STATE", 492, 522, 100, 24),
        _b("30", "", 522, R, 100, 24),
        _b("37", "", 534, R, 124, 30),
        _b("38", "RESPONSIBLE PARTY NAME AND ADDRESS", L, 306, 154, 54),
        _b("50", "PAYER NAME", L, 190, 462, 38),
        _b("51", "HEALTH PLAN ID", 190, 300, 462, 38),
        _b("52", "REL INFO", 300, 324, 462, 38),
        _b("53", "ASG BEN", 324, 348, 462, 38),
        _b("54", "PRIOR PAYMENTS", 348, 420, 462, 38),
        _b("55", "EST. AMOUNT DUE", 420, 492, 462, 38),
        _b("56", "NPI", 492, R, 462, 14),
        _b("57", "OTHER PRV ID", 492, R, 476, 24),
        _b("58", "INSURED'S NAME", L, 210, 500, 38),
        _b("59", "P. REL", 210, 234, 500, 38),
        _b("60", "INSURED'S UNIQUE ID", 234, 390, 500, 38),
        _b("61", "GROUP NAME", 390, 490, 500, 38),
        _b("62", "INSURANCE GROUP NO.", 490, R, 500, 38),
        _b("63", "TREATMENT AUTHORIZATION CODES", L, 230, 538, 38),
        _b("64", "DOCUMENT CONTROL NUMBER", 230, 420, 538, 38),
        _b("65", "EMPLOYER NAME", 420, R, 538, 38),
        _b("66", "DX", L, 30, 576, 40),
        _b("68", "", 546, R, 576, 40),
        _b("69", "ADMIT DX", L, 100, 616, 24),
        _b("70", "PATIENT REASON DX", 100, 260, 616, 24),
        _b("71", "PPS CODE", 260, 310, 616, 24),
        _b("72", "ECI", 310, 480, 616, 24),
        _b("73", "", 480, R, 616, 24),
        _b("75", "", 318, 336, 640, 48),
        _b("76", "ATTENDING", 336, R, 640, 24),
        _b("77", "OPERATING", 336, R, 664, 24),
        _b("78", "OTHER", 336, R, 688, 24),
        _b("79", "OTHER", 336, R, 712, 24),
        _b("80", "REMARKS", L, 250, 688, 48),
        _b("81", "CC", 250, 336, 688, 48),
    ]
}
for _n in range(11):  # FL18-28 condition codes
    BOXES[str(18 + _n)] = Box(str(18 + _n), "", 250 + _n * 22, 100, 22, 24)
for _n in range(4):  # FL31-34 occurrence code / date
    BOXES[str(31 + _n)] = Box(str(31 + _n), "OCCURRENCE", L + _n * 72, 124, 72, 30)
for _n in range(2):  # FL35-36 occurrence span
    BOXES[str(35 + _n)] = Box(str(35 + _n), "OCCURRENCE SPAN", 306 + _n * 114, 124, 114, 30)
for _n in range(3):  # FL39-41 value codes
    BOXES[str(39 + _n)] = Box(str(39 + _n), "VALUE CODES", 306 + _n * 96, 154, 96, 54)
for _n, _key in enumerate(["67", *(f"67{x}" for x in OTHER_DX)]):  # FL67, 67A-Q
    BOXES[_key] = Box(_key, "", 30 + (_n % 9) * (516 / 9), 576 + (_n // 9) * 20, 516 / 9, 20)
for _n, _key in enumerate(["74", "74a", "74b", "74c", "74d", "74e"]):
    _caption = "PRINCIPAL PROCEDURE" if _key == "74" else "OTHER PROCEDURE"
    BOXES[_key] = Box(_key, _caption, L + (_n % 3) * 100, 640 + (_n // 3) * 24, 100, 24)

#: FL42-49 columns: (x0, x1, caption).
COLUMNS: dict[str, tuple[float, float, str]] = {
    "42": (18, 52, "42 REV. CD."),
    "43": (52, 220, "43 DESCRIPTION"),
    "44": (220, 318, "44 HCPCS / RATE / HIPPS CODE"),
    "45": (318, 366, "45 SERV. DATE"),
    "46": (366, 416, "46 SERV. UNITS"),
    "47": (416, 490, "47 TOTAL CHARGES"),
    "48": (490, 564, "48 NON-COVERED CHARGES"),
    "49": (564, 594, "49"),
}


def line_cell(row: int, column: str) -> Box:
    """The FL42-49 cell of line ``row`` (0-21; 22 is line 23, the totals line)."""
    x0, x1, _ = COLUMNS[column]
    return Box(column, "", x0, LINES_TOP + row * LINE_HEIGHT, x1 - x0, LINE_HEIGHT)


def render_ub04(
    encounter: ClaimEncounter, *, created_on: dt.date | None = None, data_only: bool = False
) -> bytes:
    """The encounter as a UB-04 PDF; one page per 22 revenue lines.

    ``created_on`` is the FL45 line-23 creation date; a parameter (not today) so the same
    encounter always renders to the same bytes (the CLI passes the day it prints).
    ``data_only`` prints the data alone for the red preprinted form (OCR).
    """
    _validate(encounter)
    lines = list(encounter.lines or [])
    total_pages = pages(len(lines), LINES_PER_PAGE)
    form = FormCanvas(
        f"UB-04 claim {encounter.id}",
        "UB-04 (CMS-1450) institutional claim",
        data_only=data_only,
    )
    for page in range(total_pages):
        if page:
            form.new_page()
        if not data_only:
            _draw_grid(form)
        _header(form, encounter)
        chunk = lines[page * LINES_PER_PAGE : (page + 1) * LINES_PER_PAGE]
        for row, line in enumerate(chunk):
            _revenue_line(form, encounter, row, line)
        _totals_line(form, encounter, page + 1, total_pages, created_on)
        _payer_and_codes(form, encounter)
    return form.finish()


def _validate(enc: ClaimEncounter) -> None:
    eid = enc.id
    require_lines(enc)
    split_type_of_bill(enc)  # FL4 must be a type of bill such as 0111
    statement_period(enc)  # FL6 needs dates
    n_dx = len(enc.diagnoses or [])
    if not n_dx:
        raise ClaimError("diagnoses", "a principal diagnosis is required (FL67)", encounter_id=eid)
    if n_dx > MAX_DIAGNOSES:
        raise ClaimError(
            "diagnoses",
            f"{n_dx} diagnoses exceed the {MAX_DIAGNOSES} slots of UB-04 FL67 and FL67A-Q; "
            "bill electronically (837I) or choose the diagnoses to report",
            encounter_id=eid,
        )
    if len(enc.procedures or []) > MAX_PROCEDURES:
        raise ClaimError(
            "procedures",
            f"{len(enc.procedures or [])} procedures exceed the {MAX_PROCEDURES} slots of "
            "UB-04 FL74 and FL74a-e",
            encounter_id=eid,
        )
    if enc.payer.relationship != "18" and enc.payer.subscriber is None:
        raise ClaimError(
            "payer.subscriber",
            f"relationship {enc.payer.relationship}: the insured (FL58) is not the patient; "
            "give the subscriber",
            encounter_id=eid,
        )
    if not npi_is_valid(enc.billing_provider.npi):
        raise ClaimError(
            "billing_provider.npi",
            f"{enc.billing_provider.npi!r} fails the NPI check digit (FL56)",
            encounter_id=eid,
        )
    for index, line in enumerate(enc.lines or []):
        if revenue_code(line) is None:
            raise ClaimError(
                f"lines[{index}].revenue_code",
                f"{line.revenue_code!r} is not a 4-digit revenue code (FL42)",
                encounter_id=eid,
            )


def revenue_code(line: Line) -> str | None:
    """FL42: four digits; a three-digit code gets its leading zero (as SV201 on the 837I)."""
    code = (line.revenue_code or "").strip()
    if len(code) == 3 and code.isdigit():
        code = "0" + code
    return code if len(code) == 4 and code.isdigit() else None


# --- drawing ------------------------------------------------------------------------------


def _draw_grid(form: FormCanvas) -> None:
    for key, box in BOXES.items():
        form.box(box, shade=key in ("7", "30", "37", "68", "73", "75"))
    bottom = LINES_TOP + (LINES_PER_PAGE + 1) * LINE_HEIGHT
    form.c.rect(L, form.y(bottom), R - L, bottom - (LINES_TOP - 12))
    for x0, _x1, caption in COLUMNS.values():
        form.vline(x0, LINES_TOP - 12, bottom)
        form.label(x0 + 1.5, LINES_TOP - 9, caption)
    for row in range(LINES_PER_PAGE + 1):
        top = LINES_TOP + row * LINE_HEIGHT
        form.hline(L, R, top)
        form.label(L - 10, top + 2.5, str(row + 1), size=5.5)
    for key in ("47", "48"):  # dotted cents dividers down the money columns
        form.vline(COLUMNS[key][1] - 14, LINES_TOP, bottom, dashed=True)
    form.hline(L, R, bottom)
    for n in range(18):  # shaded POA cell at the right of each FL67 cell
        cell = BOXES["67" if n == 0 else f"67{OTHER_DX[n - 1]}"]
        form.shade(cell.right - 9, cell.top + 7, 8.5, cell.h - 7.5)
    form.label(L, 742, "UB-04 CMS-1450", size=7, bold=True)
    form.label(110, 742, "APPROVED OMB NO. 0938-0997", size=5.5)
    form.label(250, 742, "NUBC  National Uniform Billing Committee", size=5.5)
    form.label(
        L,
        751,
        "THE CERTIFICATIONS ON THE REVERSE APPLY TO THIS BILL AND ARE MADE A PART HEREOF.",
        size=5,
    )


def _header(form: FormCanvas, enc: ClaimEncounter) -> None:
    """FL1-17: provider, control numbers, type of bill, tax no., period, patient, admission."""
    billing = enc.billing_provider
    provider_lines = [(billing.name or _last_first(billing)).upper()]
    if billing.address is not None:
        a = billing.address
        provider_lines.append(" ".join(p for p in (a.line1, a.line2) if p).upper())
        provider_lines.append(f"{a.city} {a.state} {a.zip}".upper())
    provider_lines.append(phone_text(billing.phone))
    for n, text in enumerate(provider_lines):
        form.put(BOXES["1"], text, line=n, line_height=10)
    form.put(BOXES["3a"], enc.id)
    form.put(BOXES["3b"], enc.patient.id)
    facility, frequency = split_type_of_bill(enc)
    form.put(BOXES["4"], f"0{facility}{frequency}", line=1)
    form.put(BOXES["5"], _tax_id(billing.tax_id))
    start, end = statement_period(enc)
    period = BOXES["6"]
    form.text(period.x + 4, period.bottom - 2.5, mmddyy(start))
    form.text(period.x + 54, period.bottom - 2.5, mmddyy(end))
    patient = enc.patient
    form.put(BOXES["8"], f"{patient.last_name}, {patient.first_name}".upper(), line=1)
    if patient.address is not None:
        a = patient.address
        form.put(BOXES["9"], " ".join(p for p in (a.line1, a.line2) if p).upper())
        addr = BOXES["9"]
        form.text(addr.x + 2, addr.bottom - 2.5, a.city.upper())
        form.text(addr.x + 200, addr.bottom - 2.5, a.state.upper())
        form.text(addr.x + 230, addr.bottom - 2.5, a.zip)
    values = {
        "10": mmddyyyy(patient.birth_date),
        "11": patient.sex,
        "12": mmddyy(enc.admission_date),
        "14": enc.admission_type or "",
        "15": enc.admission_source or "",
        "17": enc.discharge_status or "",
    }
    for key, value in values.items():  # below two-line captions in the narrow FL10-17 boxes
        box = BOXES[key]
        form.text(box.x + 2, box.bottom - 2.5, value, size=form.fit(value, box.w - 3, 8.5))


def _revenue_line(form: FormCanvas, enc: ClaimEncounter, row: int, line: Line) -> None:
    """FL42-47 for one line: code, description/NDC, HCPCS or rate, date, units, charge."""
    revenue = revenue_code(line) or ""
    code = line.code.strip().upper()
    if code:
        rate = code + "".join(m.strip().upper() for m in line.modifiers)
    elif revenue[:2] in ("01", "02") and line.units:  # accommodation: the rate per day
        rate = format((line.charge / line.units).quantize(Decimal("0.01")), "f")
    else:
        rate = ""
    description = REVENUE_CATEGORIES.get(revenue[:3], "")
    if line.ndc:
        quantity = units_text(line.ndc_quantity) if line.ndc_quantity is not None else ""
        description = f"N4{line.ndc.replace('-', '')} {line.ndc_unit or ''}{quantity}".strip()
    date = line.service_date or (enc.service_date if not enc.admission_date else None)
    for column, value in (
        ("42", revenue),
        ("43", description),
        ("44", rate),
        ("45", mmddyy(date)),
    ):
        cell = line_cell(row, column)
        form.text(cell.x + 2, cell.bottom - 2, value, size=form.fit(value, cell.w - 3, 8))
    form.text(
        line_cell(row, "46").right - 3,
        line_cell(row, "46").bottom - 2,
        units_text(line.units),
        align="right",
        size=8,
    )
    _money(form, row, "47", line.charge)


def _money(form: FormCanvas, row: int, column: str, value: Decimal) -> None:
    cell = line_cell(row, column)
    whole, cents = format(Decimal(value).quantize(Decimal("0.01")), "f").split(".")
    divider = cell.right - 14
    form.text(divider - 1.5, cell.bottom - 2, whole, align="right", size=8)
    form.text(divider + 1.5, cell.bottom - 2, cents, size=8)


def _totals_line(
    form: FormCanvas, enc: ClaimEncounter, page: int, total: int, created_on: dt.date | None
) -> None:
    """Line 23: PAGE n OF m, creation date; 0001 and the claim total on the last page."""
    row = LINES_PER_PAGE
    for column, value in (
        ("43", f"PAGE {page} OF {total}"),
        ("45", mmddyy(created_on)),
    ):
        cell = line_cell(row, column)
        form.text(cell.x + 2, cell.bottom - 2, value, size=8)
    if page == total:
        form.text(line_cell(row, "42").x + 2, line_cell(row, "42").bottom - 2, "0001", size=8)
        _money(form, row, "47", total_charge(enc))
    form.label(line_cell(row, "44").x + 2, line_cell(row, "44").top + 3, "CREATION DATE")
    form.label(line_cell(row, "46").x + 2, line_cell(row, "46").top + 3, "TOTALS")


def _payer_and_codes(form: FormCanvas, enc: ClaimEncounter) -> None:
    """FL50-81: payer, insured, authorization, diagnoses, procedures, physicians, taxonomy."""
    payer, patient, billing = enc.payer, enc.patient, enc.billing_provider
    insured = payer.subscriber if payer.relationship != "18" and payer.subscriber else patient
    dcn = enc.payer_claim_control_number if enc.claim_frequency() in ("7", "8") else None
    for key, value in (
        ("50", payer.name.upper()),
        ("51", payer.id),
        ("58", f"{insured.last_name}, {insured.first_name}".upper()),
        ("60", payer.member_id),
        ("62", (payer.group_number or "").upper()),
        ("63", (enc.prior_authorization or "").upper()),
        ("64", (dcn or "").upper()),
    ):
        form.put(BOXES[key], value, size=form.fit(value, BOXES[key].w - 3, 8.5))
    form.text(BOXES["56"].x + 22, BOXES["56"].bottom - 3, billing.npi)
    for key, value in (("52", "Y"), ("53", "Y"), ("59", payer.relationship)):
        form.put(BOXES[key], value, line=1)  # narrow boxes: below the wrapped caption
    for letter, row in zip("ABC", range(3), strict=True):
        for key in ("50", "58", "63"):
            form.label(BOXES[key].x - 7, BOXES[key].top + 9 + row * 10, letter, size=5)
    form.put(BOXES["66"], "0", line=1)
    diagnoses = enc.diagnoses or []
    others = [dx for dx in diagnoses[1:] if not is_external_cause(dx.code)]
    for n, dx in enumerate(diagnoses[:1] + others):
        cell = BOXES["67" if n == 0 else f"67{OTHER_DX[n - 1]}"]
        form.text(cell.x + 2, cell.bottom - 3, no_decimal(dx.code), size=8)
        poa = "" if dx.poa in (None, "1") else dx.poa
        form.text(cell.right - 7, cell.bottom - 3, poa, size=8)
    # FL72 a-c: external cause codes (chapter 20), each with its POA, not in FL67.
    causes = [dx for dx in diagnoses[1:] if is_external_cause(dx.code)][:3]
    eci = BOXES["72"]
    for n, dx in enumerate(causes):
        poa = "" if dx.poa in (None, "1") else dx.poa
        form.text(
            eci.x + 10 + n * 68, eci.bottom - 3, f"{no_decimal(dx.code)} {poa}".strip(), size=8
        )
    _occurrence_and_value_codes(form, enc)
    form.put(BOXES["69"], no_decimal(enc.admitting_diagnosis or ""))
    for n, proc in enumerate(enc.procedures or []):
        cell = BOXES[["74", "74a", "74b", "74c", "74d", "74e"][n]]
        form.text(cell.x + 2, cell.bottom - 3, no_decimal(proc.code), size=8)
        form.text(cell.x + 58, cell.bottom - 3, mmddyy(proc.date), size=8)
    rendering = enc.rendering_provider
    if same_provider(rendering, enc.attending_provider):
        rendering = None  # FL78 would repeat FL76
    for key, provider, qualifier in (
        ("76", enc.attending_provider, ""),
        ("77", enc.operating_provider, ""),
        ("78", rendering, "82"),
        ("79", enc.referring_provider, "DN"),
    ):
        if provider is not None:
            _physician(form, BOXES[key], provider, qualifier)
    if billing.taxonomy:
        form.put(BOXES["81"], f"a B3 {billing.taxonomy.upper()}", size=8)


def _occurrence_and_value_codes(form: FormCanvas, enc: ClaimEncounter) -> None:
    """FL18-28 condition codes, FL31-34 occurrence codes with dates, FL35-36 occurrence spans,
    FL39-41 value codes with amounts (the first of each box's rows)."""
    for key, code in zip([str(n) for n in range(18, 29)], enc.condition_codes, strict=False):
        form.put(BOXES[key], code, line=0, size=8)
    for key, occ in zip(("31", "32", "33", "34"), enc.occurrence_codes, strict=False):
        form.put(BOXES[key], f"{occ.code} {mmddyy(occ.date)}", line=0, size=8)
    for key, span in zip(("35", "36"), enc.occurrence_spans, strict=False):
        form.put(BOXES[key], f"{span.code} {mmddyy(span.start)} {mmddyy(span.end)}", line=0, size=8)
    for key, value in zip(("39", "40", "41"), enc.value_codes, strict=False):
        amount = format(value.amount.quantize(Decimal("0.01")), "f")
        form.put(BOXES[key], f"{value.code} {amount}", line=0, size=8)


def _physician(form: FormCanvas, box: Box, provider: Provider, qualifier: str) -> None:
    """FL76-79: NPI and qualifier on the caption line, LAST / FIRST name below."""
    form.label(box.x + 60, box.top + 1.5, "NPI")
    form.label(box.x + 170, box.top + 1.5, "QUAL")
    form.text(box.x + 72, box.top + 8, provider.npi, size=8)
    form.text(box.x + 186, box.top + 8, qualifier, size=8)
    form.label(box.x + 1.5, box.top + 14, "LAST")
    form.label(box.x + 130, box.top + 14, "FIRST")
    last = (provider.last_name or provider.name or "").upper()
    form.text(box.x + 16, box.bottom - 2, last, size=form.fit(last, 110, 8))
    form.text(box.x + 146, box.bottom - 2, (provider.first_name or "").upper(), size=8)


def _tax_id(value: str | None) -> str:
    digits = digits_only(value)
    return f"{digits[:2]}-{digits[2:]}" if len(digits) == 9 else (value or "")


def _last_first(provider: Provider) -> str:
    return ", ".join(p for p in (provider.last_name, provider.first_name) if p)
