"""CMS-1500 (02/12) professional claim form as PDF, from the same ClaimEncounter as the 837P.

Item numbers and captions follow the NUCC 1500 Reference Instruction Manual for form version
02/12; the field mapping mirrors :mod:`medcoder.claims.x12_837p` (the UHIN 1500-to-837P
crosswalk), so the paper and electronic claim say the same thing:

* item 26 patient account no. = CLM01 (encounter id), item 28 = CLM02 (sum of the lines);
* item 21 = HI (ICD indicator 0, codes A-L *without* the decimal point, NUCC: "do not insert
  a period"), at most 12 (more raise :class:`ClaimError`, never a silently dropped code);
* item 24 = loop 2400 SV1: 24A DTP*472, 24B POS, 24D code + up to 4 modifiers, 24E pointer
  letters A-L, 24F charge, 24G units, 24J rendering NPI; the shaded half carries the NDC
  (``N4`` + 11 digits + ``UN`` + quantity, loop 2410);
* items 12/13 "SIGNATURE ON FILE" and 27 YES as CLM08/CLM09/CLM07 (Y, A, Y); 10a-c and 11d NO,
  as the 837P sends no accident data (CLM11) and no other payer (loop 2320).

The form holds six service lines; more continue on further pages, each a complete form with
"PAGE n OF m", and item 28 carries the total on the last page ("CONTINUED" before it).
"""

from __future__ import annotations

import datetime as dt

from medcoder.claims.errors import ClaimError
from medcoder.claims.model import Address, ClaimEncounter, Line, Provider
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
from medcoder.claims.x12_envelope import require_lines, total_charge

LINES_PER_PAGE = 6
MAX_DIAGNOSES = 12
MAX_POINTERS = 4
DX_LETTERS = "ABCDEFGHIJKL"

# Column edges: left block (patient), middle block (3, 6, 8, 10), right block (insured).
L, A, B, R = 18.0, 248.0, 368.0, 594.0

#: Item 1 program boxes keyed by the X12 claim filing indicator (SBR09) that selects them.
PROGRAMS: list[tuple[str, frozenset[str]]] = [
    ("MEDICARE", frozenset({"MA", "MB"})),
    ("MEDICAID", frozenset({"MC"})),
    ("TRICARE", frozenset({"CH"})),
    ("CHAMPVA", frozenset({"VA"})),
    ("GROUP HEALTH PLAN", frozenset({"BL", "CI", "HM", "12", "13", "14", "15", "16", "17"})),
    ("FECA BLK LUNG", frozenset({"FI"})),
]


def _b(item: str, caption: str, x0: float, x1: float, top: float, h: float) -> Box:
    return Box(item, caption, x0, top, x1 - x0, h)


_SUB = 22.0  # height of the 9/10/11 sub-rows
BOXES: dict[str, Box] = {
    b.item: b
    for b in [
        _b("1", "", L, B, 96, 26),
        _b("1a", "INSURED'S I.D. NUMBER (For Program in Item 1)", B, R, 96, 26),
        _b("2", "PATIENT'S NAME (Last Name, First Name, Middle Initial)", L, A, 122, 26),
        _b("3", "PATIENT'S BIRTH DATE / SEX", A, B, 122, 26),
        _b("4", "INSURED'S NAME (Last Name, First Name, Middle Initial)", B, R, 122, 26),
        _b("5", "PATIENT'S ADDRESS (No., Street)", L, A, 148, 72),
        _b("6", "PATIENT RELATIONSHIP TO INSURED", A, B, 148, 26),
        _b("7", "INSURED'S ADDRESS (No., Street)", B, R, 148, 72),
        _b("8", "RESERVED FOR NUCC USE", A, B, 174, 46),
        _b("9", "OTHER INSURED'S NAME", L, A, 220, _SUB),
        _b("9a", "OTHER INSURED'S POLICY OR GROUP NUMBER", L, A, 220 + _SUB, _SUB),
        _b("9b", "RESERVED FOR NUCC USE", L, A, 220 + 2 * _SUB, _SUB),
        _b("9c", "RESERVED FOR NUCC USE", L, A, 220 + 3 * _SUB, _SUB),
        _b("9d", "INSURANCE PLAN NAME OR PROGRAM NAME", L, A, 220 + 4 * _SUB, _SUB),
        _b("10", "IS PATIENT'S CONDITION RELATED TO:", A, B, 220, _SUB),
        _b("10a", "EMPLOYMENT? (Current or Previous)", A, B, 220 + _SUB, _SUB),
        _b("10b", "AUTO ACCIDENT?   PLACE (State)", A, B, 220 + 2 * _SUB, _SUB),
        _b("10c", "OTHER ACCIDENT?", A, B, 220 + 3 * _SUB, _SUB),
        _b("10d", "CLAIM CODES (Designated by NUCC)", A, B, 220 + 4 * _SUB, _SUB),
        _b("11", "INSURED'S POLICY GROUP OR FECA NUMBER", B, R, 220, _SUB),
        _b("11a", "INSURED'S DATE OF BIRTH / SEX", B, R, 220 + _SUB, _SUB),
        _b("11b", "OTHER CLAIM ID (Designated by NUCC)", B, R, 220 + 2 * _SUB, _SUB),
        _b("11c", "INSURANCE PLAN NAME OR PROGRAM NAME", B, R, 220 + 3 * _SUB, _SUB),
        _b("11d", "IS THERE ANOTHER HEALTH BENEFIT PLAN?", B, R, 220 + 4 * _SUB, _SUB),
        _b("12", "PATIENT'S OR AUTHORIZED PERSON'S SIGNATURE", L, B, 330, 34),
        _b("13", "INSURED'S OR AUTHORIZED PERSON'S SIGNATURE", B, R, 330, 34),
        _b("14", "DATE OF CURRENT ILLNESS, INJURY, or PREGNANCY (LMP)", L, A, 364, 24),
        _b("15", "OTHER DATE", A, B, 364, 24),
        _b("16", "DATES PATIENT UNABLE TO WORK IN CURRENT OCCUPATION", B, R, 364, 24),
        _b("17", "NAME OF REFERRING PROVIDER OR OTHER SOURCE", L, A, 388, 24),
        _b("17a", "", A, B, 388, 12),
        _b("17b", "NPI", A, B, 400, 12),
        _b("18", "HOSPITALIZATION DATES RELATED TO CURRENT SERVICES", B, R, 388, 24),
        _b("19", "ADDITIONAL CLAIM INFORMATION (Designated by NUCC)", L, B, 412, 24),
        _b("20", "OUTSIDE LAB?   $ CHARGES", B, R, 412, 24),
        _b(
            "21",
            "DIAGNOSIS OR NATURE OF ILLNESS OR INJURY  Relate A-L to service line below (24E)",
            L,
            B,
            436,
            60,
        ),
        _b("22", "RESUBMISSION CODE   ORIGINAL REF. NO.", B, R, 436, 30),
        _b("23", "PRIOR AUTHORIZATION NUMBER", B, R, 466, 30),
        _b("25", "FEDERAL TAX I.D. NUMBER", L, 168, 700, 26),
        _b("26", "PATIENT'S ACCOUNT NO.", 168, 280, 700, 26),
        _b("27", "ACCEPT ASSIGNMENT?", 280, B, 700, 26),
        _b("28", "TOTAL CHARGE", B, 450, 700, 26),
        _b("29", "AMOUNT PAID", 450, 522, 700, 26),
        _b("30", "Rsvd for NUCC Use", 522, R, 700, 26),
        _b(
            "31",
            "SIGNATURE OF PHYSICIAN OR SUPPLIER INCLUDING DEGREES OR CREDENTIALS",
            L,
            168,
            726,
            50,
        ),
        _b("32", "SERVICE FACILITY LOCATION INFORMATION", 168, B, 726, 50),
        _b("33", "BILLING PROVIDER INFO & PH #", B, R, 726, 50),
    ]
}
BOXES["21ind"] = Box("", "ICD Ind.", B - 40, 437, 36, 9)
for _n, _letter in enumerate(DX_LETTERS):  # 21 A-L: three rows of four code cells
    BOXES[f"21{_letter}"] = Box(
        f"21{_letter}", "", L + 4 + (_n % 4) * 86, 446 + (_n // 4) * 16, 84, 16
    )
for _item, _x0, _x1 in (("32a", 168, 268), ("32b", 268, B), ("33a", B, 480), ("33b", 480, R)):
    BOXES[_item] = Box(_item, "NPI" if _item.endswith("a") else "", _x0, 764, _x1 - _x0, 12)

# Item 24 columns (x0, x1) and the two header lines printed above them.
COLUMNS: dict[str, tuple[float, float, str]] = {
    "24A_from": (18, 78, "A. DATE(S) OF SERVICE||From"),
    "24A_to": (78, 138, "||To"),
    "24B": (138, 160, "B.|PLACE|OF SVC"),
    "24C": (160, 178, "C.||EMG"),
    "24D": (178, 226, "D. PROCEDURES, SERVICES, OR SUPPLIES||CPT/HCPCS"),
    "24D_mod1": (226, 244, "||MODIFIER"),
    "24D_mod2": (244, 262, "||"),
    "24D_mod3": (262, 280, "||"),
    "24D_mod4": (280, 298, "||"),
    "24E": (298, 336, "E.|DIAGNOSIS|POINTER"),
    "24F": (336, 402, "F.||$ CHARGES"),
    "24G": (402, 428, "G.|DAYS OR|UNITS"),
    "24H": (428, 446, "H.|EPSDT|"),
    "24I": (446, 470, "I.|ID.|QUAL."),
    "24J": (470, 594, "J.|RENDERING|PROVIDER ID. #"),
}
LINES_TOP = 520.0
LINE_HEIGHT = 30.0
SHADED = 12.0


def line_cell(row: int, column: str, *, shaded: bool = False) -> Box:
    """The cell of service line ``row`` (0-5) in item-24 ``column``; ``shaded`` is the
    supplemental (top) half of the line, unshaded the claim data."""
    x0, x1, _ = COLUMNS[column]
    top = LINES_TOP + row * LINE_HEIGHT
    if shaded:
        return Box(column, "", x0, top, x1 - x0, SHADED)
    return Box(column, "", x0, top + SHADED, x1 - x0, LINE_HEIGHT - SHADED)


def render_cms1500(
    encounter: ClaimEncounter, *, signed_on: dt.date | None = None, data_only: bool = False
) -> bytes:
    """The encounter as a CMS-1500 (02/12) PDF; one page per six service lines.

    ``signed_on`` is the date printed in item 31; it is a parameter (not today) so the same
    encounter always renders to the same bytes. ``data_only`` prints the data alone, in
    place for the red preprinted form (OCR), instead of the facsimile with its grid.
    """
    diagnoses, lines = _validate(encounter)
    total_pages = pages(len(lines), LINES_PER_PAGE)
    form = FormCanvas(
        f"CMS-1500 claim {encounter.id}",
        "CMS-1500 (02/12) professional claim",
        data_only=data_only,
    )
    for page in range(total_pages):
        if page:
            form.new_page()
        chunk = lines[page * LINES_PER_PAGE : (page + 1) * LINES_PER_PAGE]
        if not data_only:
            _draw_grid(form)
        _header(form, encounter, page + 1, total_pages)
        _patient_and_insured(form, encounter)
        _claim_items(form, encounter, diagnoses)
        for row, line in enumerate(chunk):
            _service_line(form, encounter, row, line)
        _footer_items(form, encounter, last=page == total_pages - 1, signed_on=signed_on)
    return form.finish()


def _validate(enc: ClaimEncounter) -> tuple[list[str], list[Line]]:
    """The checks that would make the printed claim wrong rather than merely incomplete."""
    eid = enc.id
    require_lines(enc)
    codes = [no_decimal(d.code) for d in enc.diagnoses or []]
    if not codes:
        raise ClaimError(
            "diagnoses", "at least one diagnosis is required (item 21 A)", encounter_id=eid
        )
    if len(codes) > MAX_DIAGNOSES:
        raise ClaimError(
            "diagnoses",
            f"{len(codes)} diagnoses exceed the {MAX_DIAGNOSES} of CMS-1500 item 21 (A-L); "
            "split the claim or choose the diagnoses to report",
            encounter_id=eid,
        )
    if enc.payer.relationship != "18" and enc.payer.subscriber is None:
        raise ClaimError(
            "payer.subscriber",
            f"relationship {enc.payer.relationship}: the insured (items 4, 7, 11a) is not the "
            "patient; give the subscriber",
            encounter_id=eid,
        )
    if not npi_is_valid(enc.billing_provider.npi):
        raise ClaimError(
            "billing_provider.npi",
            f"{enc.billing_provider.npi!r} fails the NPI check digit (item 33a)",
            encounter_id=eid,
        )
    lines = list(enc.lines or [])
    for index, line in enumerate(lines):
        pointers = line.dx_pointers
        if len(pointers) > MAX_POINTERS or any(not 1 <= p <= len(codes) for p in pointers):
            raise ClaimError(
                f"lines[{index}].dx_pointers",
                f"{pointers} must be 1-{MAX_POINTERS} pointers to the {len(codes)} diagnoses "
                "(item 24E letters A-L)",
                encounter_id=eid,
            )
    return codes, lines


# --- drawing ------------------------------------------------------------------------------


def _draw_grid(form: FormCanvas) -> None:
    for key, box in BOXES.items():
        if key[:2] == "21" and len(key) == 3:
            continue  # the A-L cells are drawn as underlined slots below
        form.box(box, shade=key == "17a")
    for letter in DX_LETTERS:
        cell = BOXES[f"21{letter}"]
        form.label(cell.x, cell.top + 7, f"{letter}.", size=6, bold=True)
        form.hline(cell.x + 8, cell.right - 6, cell.bottom - 2)
    form.label(L - 10, 498, "24.", size=6, bold=True)
    for column, (x0, _x1, heading) in COLUMNS.items():
        for n, text in enumerate(heading.split("|")):
            form.label(x0 + 1.5, 498 + n * 6, text, size=4.6)
        modifier = column[-1] in "234"
        top = LINES_TOP if modifier else 496
        form.vline(x0, top, LINES_TOP + LINES_PER_PAGE * LINE_HEIGHT, dashed=modifier)
    form.c.rect(L, form.y(LINES_TOP + LINES_PER_PAGE * LINE_HEIGHT), R - L, 204)
    for row in range(LINES_PER_PAGE):
        top = LINES_TOP + row * LINE_HEIGHT
        form.shade(L + 0.3, top + 0.3, R - L - 0.6, SHADED - 0.6)
        form.label(L - 9, top + 16, str(row + 1), size=8, bold=True)
        form.hline(L, R, top)
        form.label(COLUMNS["24I"][0] + 3, top + 17, "NPI", size=6)
    for x0 in (COLUMNS["24A_from"][0], COLUMNS["24A_to"][0]):
        form.label(x0 + 4, LINES_TOP - 5, "MM    DD    YY", size=4)


def _header(form: FormCanvas, enc: ClaimEncounter, page: int, total: int) -> None:
    form.label(L, 58, "HEALTH INSURANCE CLAIM FORM", size=11, bold=True)
    form.label(L, 72, "APPROVED BY NATIONAL UNIFORM CLAIM COMMITTEE (NUCC) 02/12", size=5.5)
    form.label(L, 84, "PICA", size=5.5)
    form.text(L, 30, f"PAGE {page} OF {total}")
    form.text(B, 30, enc.payer.name.upper())  # carrier block: payer name (and id)
    form.text(B, 40, f"PAYER ID {enc.payer.id}")
    form.label(L, 778, "NUCC Instruction Manual available at: www.nucc.org", size=5.5)
    form.label(A, 778, "PLEASE PRINT OR TYPE", size=5.5, bold=True)
    form.label(B + 40, 778, "APPROVED OMB-0938-1197 FORM 1500 (02-12)", size=5.5)


def _patient_and_insured(form: FormCanvas, enc: ClaimEncounter) -> None:
    """Items 1-11: program, patient, insured (the subscriber), other insured (the next payer).

    Item 11 reads NONE on a claim to Medicare as primary with no other insurance (NUCC:
    "if there is no insurance primary to Medicare, enter NONE"); item 11d says whether
    another plan exists, and items 9-9d name it.
    """
    box = BOXES["1"]
    x = box.x + 4
    indicator = enc.payer.filing_indicator.upper()
    known = frozenset().union(*(codes for _, codes in PROGRAMS))
    for caption, codes in [*PROGRAMS, ("OTHER", frozenset())]:
        checked = indicator in codes or (caption == "OTHER" and indicator not in known)
        x = form.checkbox(x, box.top + 12, caption, checked)
    form.label(box.x + 1.5, box.top + 1.5, "1.", bold=True)
    patient = enc.patient
    insured = enc.payer.subscriber if enc.payer.relationship != "18" else None
    form.put(BOXES["1a"], enc.payer.member_id)
    form.put(BOXES["2"], f"{patient.last_name}, {patient.first_name}".upper())
    person = insured or patient
    form.put(BOXES["4"], f"{person.last_name}, {person.first_name}".upper())
    for key, who in (("3", patient), ("11a", person)):
        dob = BOXES[key]
        form.text(dob.x + 4, dob.top + 17, mmddyyyy(who.birth_date, spaced=True))
        sx = form.checkbox(dob.x + 62, dob.top + 11, "M", who.sex == "M")
        form.checkbox(sx, dob.top + 11, "F", who.sex == "F")
    rel = BOXES["6"]
    x = rel.x + 4
    relationship = enc.payer.relationship
    for caption, codes in (("Self", {"18"}), ("Spouse", {"01"}), ("Child", {"19"})):
        x = form.checkbox(x, rel.top + 12, caption, relationship in codes)
    form.checkbox(x, rel.top + 12, "Other", relationship not in {"18", "01", "19"})
    _address_block(form, BOXES["5"], patient.address)
    _address_block(form, BOXES["7"], person.address)
    medicare_primary = indicator in ("MA", "MB") and enc.payer.responsibility == "P"
    if medicare_primary and not enc.other_payers:
        form.put(BOXES["11"], "NONE")
    else:
        form.put(BOXES["11"], (enc.payer.group_number or "").upper())
    form.put(BOXES["11c"], enc.payer.name.upper())
    other = enc.other_payers[0] if enc.other_payers else None
    if other is not None:
        who = other.subscriber or patient
        form.put(BOXES["9"], f"{who.last_name}, {who.first_name}".upper())
        form.put(BOXES["9a"], (other.group_number or other.member_id).upper())
        form.put(BOXES["9d"], other.name.upper())
    for key in ("10a", "10b", "10c"):
        b = BOXES[key]
        x = form.checkbox(b.x + 30, b.top + 11, "YES", False)
        form.checkbox(x, b.top + 11, "NO", True)
    b = BOXES["11d"]
    x = form.checkbox(b.x + 30, b.top + 11, "YES", other is not None)
    form.checkbox(x, b.top + 11, "NO", other is None)


def _address_block(form: FormCanvas, box: Box, addr: Address | None) -> None:
    """Items 5 / 7: street; CITY and STATE; ZIP CODE and TELEPHONE, on three sub-rows."""
    for top in (box.top + 24, box.top + 48):
        form.hline(box.x, box.right, top)
    split = box.right - 40
    form.vline(split, box.top + 24, box.top + 48)
    form.label(box.x + 1.5, box.top + 25, "CITY")
    form.label(split + 1.5, box.top + 25, "STATE")
    form.label(box.x + 1.5, box.top + 49, "ZIP CODE")
    form.label(box.x + 80, box.top + 49, "TELEPHONE (Include Area Code)")
    form.vline(box.x + 78, box.top + 48, box.bottom)
    if addr is None:
        return
    street = " ".join(p for p in (addr.line1, addr.line2) if p).upper()
    form.text(box.x + 2, box.top + 20, street, size=form.fit(street, box.w - 4, 8.5))
    form.text(box.x + 2, box.top + 44, addr.city.upper())
    form.text(split + 4, box.top + 44, addr.state.upper())
    form.text(box.x + 2, box.top + 68, addr.zip)


def _claim_items(form: FormCanvas, enc: ClaimEncounter, diagnoses: list[str]) -> None:
    """Items 12-23: signatures, referring provider, hospitalization, diagnoses, prior auth."""
    form.put(BOXES["12"], "SIGNATURE ON FILE", line=1)
    form.put(BOXES["13"], "SIGNATURE ON FILE", line=1)
    # Item 17: the ordering provider (DK) of a lab or DME service, else the referring (DN).
    qualifier, ref = (
        ("DK", enc.ordering_provider) if enc.ordering_provider else ("DN", enc.referring_provider)
    )
    if ref is not None:
        form.put(BOXES["17"], f"{qualifier}  {_person_first(ref)}")
        form.text(BOXES["17b"].x + 24, BOXES["17b"].bottom - 2.5, ref.npi)
    if enc.setting == "inpatient" and enc.admission_date:
        hosp = BOXES["18"]
        form.text(hosp.x + 4, hosp.bottom - 4, "FROM " + mmddyy(enc.admission_date, spaced=True))
        form.text(hosp.x + 116, hosp.bottom - 4, "TO " + mmddyy(enc.discharge_date, spaced=True))
    form.text(BOXES["21ind"].right - 6, BOXES["21ind"].bottom - 0.5, "0")
    for letter, code in zip(DX_LETTERS, diagnoses, strict=False):
        cell = BOXES[f"21{letter}"]
        form.text(cell.x + 12, cell.bottom - 4, code)
    frequency = enc.claim_frequency()
    if frequency in ("7", "8"):  # item 22: resubmission code and the payer's original number
        form.put(
            BOXES["22"], f"{frequency}   {enc.payer_claim_control_number or ''}".upper(), line=1
        )
    # Item 23: the prior authorization, else the lab's CLIA number (one number per claim).
    form.put(BOXES["23"], (enc.prior_authorization or enc.clia_number or "").upper(), line=1)


def _service_line(form: FormCanvas, enc: ClaimEncounter, row: int, line: Line) -> None:
    """One item-24 line: unshaded claim data, shaded NDC supplemental information."""
    date = line.service_date or enc.service_date
    pos = line.place_of_service or enc.place_of_service or ""
    letters = "".join(DX_LETTERS[p - 1] for p in line.dx_pointers)
    values = {
        "24A_from": mmddyy(date, spaced=True),
        "24A_to": mmddyy(date, spaced=True),
        "24B": pos,
        "24D": line.code.strip().upper(),
        "24E": letters,
        "24G": units_text(line.units),
        "24J": enc.rendering_provider.npi if enc.rendering_provider else "",
    }
    for n, modifier in enumerate(line.modifiers[:4], start=1):
        values[f"24D_mod{n}"] = modifier.strip().upper()
    for column, value in values.items():
        cell = line_cell(row, column)
        form.text(cell.x + 2.5, cell.bottom - 5, value)
    form.money(line_cell(row, "24F"), line.charge, line_height=0)
    if line.ndc:
        ndc = line.ndc.replace("-", "")
        shaded = line_cell(row, "24A_from", shaded=True)
        quantity = units_text(line.ndc_quantity) if line.ndc_quantity is not None else ""
        supplemental = f"N4{ndc} {line.ndc_unit or ''}{quantity}".strip()
        form.text(shaded.x + 2.5, shaded.bottom - 3, supplemental, size=7)


def _footer_items(
    form: FormCanvas, enc: ClaimEncounter, *, last: bool, signed_on: dt.date | None
) -> None:
    """Items 25-33: tax id, account no., assignment, total, signature, facility, billing."""
    billing = enc.billing_provider
    tin = BOXES["25"]
    form.text(tin.x + 2, tin.bottom - 5, digits_only(billing.tax_id))
    x = form.checkbox(tin.right - 42, tin.top + 9, "SSN", False)
    form.checkbox(x - 2, tin.top + 9, "EIN", bool(billing.tax_id))
    form.put(BOXES["26"], enc.id)
    accept = BOXES["27"]
    x = form.checkbox(accept.x + 4, accept.top + 13, "YES", True)
    form.checkbox(x, accept.top + 13, "NO", False)
    if last:
        form.money(BOXES["28"], total_charge(enc))  # all pages' 24F, as CLM02
    else:
        form.put(BOXES["28"], "CONTINUED", size=7)
    form.money(BOXES["29"], None)
    sig = BOXES["31"]
    form.put(sig, "SIGNATURE ON FILE", line=1, size=7.5)
    signer = enc.rendering_provider or billing
    form.put(sig, _display_name(signer), line=2, size=7.5)
    form.text(
        sig.x + 2, sig.bottom - 3, "DATE " + mmddyy(signed_on, spaced=True) if signed_on else ""
    )
    facility = _service_facility(enc)
    if facility is not None:
        _provider_block(form, BOXES["32"], facility)
        form.text(BOXES["32a"].x + 26, BOXES["32a"].bottom - 2.5, facility.npi)
    _provider_block(form, BOXES["33"], billing)
    form.text(BOXES["33"].x + 110, BOXES["33"].top + 6, phone_text(billing.phone), size=7)
    form.text(BOXES["33a"].x + 26, BOXES["33a"].bottom - 2.5, billing.npi)
    if billing.taxonomy:
        form.text(BOXES["33b"].x + 14, BOXES["33b"].bottom - 2.5, "ZZ" + billing.taxonomy.upper())


def _provider_block(form: FormCanvas, box: Box, provider: Provider) -> None:
    """Items 32 / 33: name, street, city state ZIP on three lines above the NPI strip."""
    lines = [_display_name(provider)]
    if provider.address is not None:
        a = provider.address
        lines.append(" ".join(p for p in (a.line1, a.line2) if p).upper())
        lines.append(f"{a.city} {a.state} {a.zip}".upper())
    for n, text in enumerate(lines):
        form.put(box, text, line=n, line_height=9.5, size=7.5)


def _service_facility(enc: ClaimEncounter) -> Provider | None:
    """Item 32: the service facility (837P 2310C), when the encounter names one."""
    return enc.service_facility


def _display_name(provider: Provider) -> str:
    return (provider.name or _person_first(provider)).upper()


def _person_first(provider: Provider) -> str:
    """Item 17/31 order: first name then last name (NUCC)."""
    return (
        " ".join(p for p in (provider.first_name, provider.last_name) if p).upper()
        or (provider.name or "").upper()
    )
