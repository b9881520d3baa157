"""CMS-1500 (02/12) PDF: each value lands in its NUCC item's box, lines continue on extra
pages, limits raise ClaimError, output is deterministic and renders to non-blank images.

Positions are read back with pypdf's ``visitor_text`` (claim data is Courier, captions are
Helvetica, so only data is looked at) and checked against the renderer's published layout.
Synthetic data only.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from pypdf import PdfReader

from medcoder.claims.cms1500 import BOXES, line_cell, render_cms1500
from medcoder.claims.errors import ClaimError
from medcoder.claims.model import ClaimEncounter
from medcoder.claims.pdf_forms import Box

DIAGNOSES = [
    "E11.22", "I10", "N18.30", "Z79.4", "E78.5", "J45.909",
    "M54.50", "R05.9", "K21.9", "N39.0", "F41.1", "J06.9", "R51.9",
]  # fmt: skip
# (code, modifiers, pointers, units, ndc): line 2 is an injectable drug with its NDC.
LINES = [
    ("99214", ["25"], [1, 2, 3], "1", None),
    ("J1885", [], [1], "2", "00409-3795-01"),
    ("96372", ["59", "RT", "LT", "XU"], [2, 1, 4, 3], "1", None),
]

Text = list[tuple[str, float, float]]


def professional_encounter(n_lines: int = 3, n_dx: int = 4, **changes: Any) -> ClaimEncounter:
    """A synthetic office encounter; line ``i`` is charged 125 + i dollars."""
    lines = []
    for i in range(n_lines):
        code, modifiers, pointers, units, ndc = LINES[i % len(LINES)]
        lines.append(
            {
                "code": code,
                "modifiers": modifiers,
                "dx_pointers": [p for p in pointers if p <= n_dx] or [1],
                "units": units,
                "charge": str(Decimal("125.00") + i),
                "service_date": (dt.date(2025, 3, 10) + dt.timedelta(days=i)).isoformat(),
                "ndc": ndc,
                **({"ndc_quantity": "2", "ndc_unit": "ML"} if ndc else {}),
            }
        )
    data = {
        "id": "SYN-OP-0001",
        "place_of_service": "11",
        "service_date": "2025-03-10",
        "patient": {
            "id": "MRN-000111",
            "first_name": "Alex",
            "last_name": "Sample",
            "birth_date": "1960-07-04",
            "sex": "F",
            "address": {
                "line1": "12 Example Ave",
                "city": "Springfield",
                "state": "IL",
                "zip": "62701-1234",
            },
        },
        "payer": {
            "name": "Example Commercial",
            "id": "EXCH1",
            "filing_indicator": "CI",
            "member_id": "XYZ123456789",
            "group_number": "GRP-0042",
        },
        "billing_provider": {
            "npi": "1234567893",
            "name": "Synthetic Family Clinic",
            "tax_id": "12-3456789",
            "taxonomy": "207Q00000X",
            "phone": "217-555-0100",
            "address": {
                "line1": "100 Clinic Road",
                "city": "Springfield",
                "state": "IL",
                "zip": "62704",
            },
        },
        "rendering_provider": {"npi": "1003000126", "first_name": "Casey", "last_name": "Doctor"},
        "referring_provider": {"npi": "1234567893", "first_name": "Robin", "last_name": "Referrer"},
        "diagnoses": [{"code": c} for c in DIAGNOSES[:n_dx]],
        "lines": lines,
        "prior_authorization": "PA998877",
    }
    data.update(changes)
    return ClaimEncounter.model_validate(data)


# --- helpers shared with test_ub04 ----------------------------------------------------------


def data_text(pdf: bytes) -> list[Text]:
    """Per page, every Courier (claim data) string with its baseline origin in PDF space."""
    pages: list[Text] = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        found: Text = []

        def visit(text: str, cm: list, tm: list, font: Any, size: float, out: Text = found) -> None:
            if not text.strip() or not font or font.get("/BaseFont") != "/Courier":
                return
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            out.append((text.strip(), x, y))

        page.extract_text(visitor_text=visit)
        pages.append(found)
    return pages


def inside(page: Text, box: Box) -> list[str]:
    """The data strings whose origin falls inside ``box``."""
    x0, y0, x1, y1 = box.pdf_rect()
    return [t for t, x, y in page if x0 <= x <= x1 and y0 <= y <= y1]


def render_pngs(pdf: bytes, directory: Any) -> list[Any]:
    """Rasterise every page with pypdfium2; returns the PIL images (also saved as PNG)."""
    pdfium = pytest.importorskip("pypdfium2")
    document = pdfium.PdfDocument(pdf)
    images = []
    for index in range(len(document)):
        image = document[index].render(scale=1).to_pil().convert("L")
        image.save(directory / f"page{index + 1}.png")
        images.append(image)
    return images


def ink_ratio(image: Any) -> float:
    histogram = image.histogram()
    return sum(histogram[:128]) / (image.width * image.height)


# --- boxes ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def page() -> Text:
    pdf = render_cms1500(professional_encounter(), signed_on=dt.date(2025, 3, 20))
    pages = data_text(pdf)
    assert len(pages) == 1
    return pages[0]


@pytest.mark.parametrize(
    "item,expected",
    [
        ("1a", "XYZ123456789"),
        ("2", "SAMPLE, ALEX"),
        ("3", "07 04 1960"),
        ("4", "SAMPLE, ALEX"),
        ("11", "GRP-0042"),
        ("17b", "1234567893"),
        ("21A", "E1122"),  # NUCC: no decimal point in item 21
        ("21B", "I10"),
        ("21C", "N1830"),
        ("21D", "Z794"),
        ("21ind", "0"),
        ("23", "PA998877"),
        ("25", "123456789"),
        ("26", "SYN-OP-0001"),
        ("28", "378"),  # 125 + 126 + 127 dollars ...
        ("28", "00"),  # ... and the cents right of the divider
        ("33", "SYNTHETIC FAMILY CLINIC"),
        ("33", "(217) 555-0100"),
        ("33a", "1234567893"),
        ("33b", "ZZ207Q00000X"),
    ],
)
def test_item_carries_its_value(page: Text, item: str, expected: str) -> None:
    assert expected in inside(page, BOXES[item])


@pytest.mark.parametrize(
    "row,column,expected",
    [
        (0, "24A_from", "03 10 25"),
        (0, "24A_to", "03 10 25"),
        (0, "24B", "11"),
        (0, "24D", "99214"),
        (0, "24D_mod1", "25"),
        (0, "24E", "ABC"),
        (0, "24F", "125 00"),  # dollars | cents, no $ or point
        (0, "24G", "1"),
        (0, "24J", "1003000126"),
        (1, "24D", "J1885"),  # 24D of line 2
        (1, "24E", "A"),
        (1, "24G", "2"),
        (2, "24D_mod4", "XU"),
        (2, "24E", "BADC"),  # pointer order is kept: the first is the primary
        (2, "24F", "127 00"),
    ],
)
def test_service_line_cell_carries_its_value(
    page: Text, row: int, column: str, expected: str
) -> None:
    assert " ".join(inside(page, line_cell(row, column))) == expected


def test_ndc_goes_in_the_shaded_half_of_its_line(page: Text) -> None:
    assert inside(page, line_cell(1, "24A_from", shaded=True)) == ["N400409379501 ML2"]
    assert inside(page, line_cell(0, "24A_from", shaded=True)) == []


def test_checkboxes_follow_the_encounter(page: Text) -> None:
    # group health plan (CI) in item 1, female in 3 and 11a, self in 6, EIN in 25, 27 YES,
    # NO in 10a-c and 11d: one X each.
    for item, count in (("1", 1), ("3", 1), ("6", 1), ("10a", 1), ("11d", 1), ("25", 1)):
        assert inside(page, BOXES[item]).count("X") == count, item


def test_layout_keeps_the_forms_item_positions() -> None:
    assert BOXES["1a"].x > BOXES["1"].x and BOXES["1a"].top == BOXES["1"].top
    assert BOXES["4"].x > BOXES["3"].x > BOXES["2"].x
    assert BOXES["21"].bottom <= line_cell(0, "24A_from", shaded=True).top
    assert line_cell(5, "24J").bottom <= BOXES["28"].top
    assert BOXES["33"].x > BOXES["32"].x > BOXES["31"].x
    boxes = list(BOXES.items())
    for i, (k1, b1) in enumerate(boxes):
        for k2, b2 in boxes[i + 1 :]:
            nested = k2.startswith(k1) and k2[len(k1) :].isalpha()
            if nested:
                continue
            overlap_x = min(b1.right, b2.right) - max(b1.x, b2.x)
            overlap_y = min(b1.bottom, b2.bottom) - max(b1.top, b2.top)
            assert overlap_x <= 0.5 or overlap_y <= 0.5, (k1, k2)


# --- pages and limits ---------------------------------------------------------------------------


def test_more_than_six_lines_continue_on_a_second_page() -> None:
    enc = professional_encounter(n_lines=8)
    pages = data_text(render_cms1500(enc))
    assert len(pages) == 2
    assert "PAGE 1 OF 2" in [t for t, _, _ in pages[0]]
    assert "PAGE 2 OF 2" in [t for t, _, _ in pages[1]]
    # line 7 (99214, charged 131) is the first line of page 2; nothing is dropped
    assert inside(pages[1], line_cell(0, "24D")) == ["99214"]
    assert inside(pages[1], line_cell(0, "24F")) == ["131", "00"]
    assert inside(pages[1], line_cell(2, "24D")) == []
    codes = [inside(p, line_cell(r, "24D")) for p in pages for r in range(6)]
    assert sum(len(c) for c in codes) == 8
    # the total (sum of all eight lines) is on the last page only
    assert inside(pages[0], BOXES["28"]) == ["CONTINUED"]
    assert inside(pages[1], BOXES["28"]) == [str(sum(range(125, 133))), "00"]
    # each page repeats the claim header and diagnoses
    assert "E1122" in inside(pages[1], BOXES["21A"])


def test_thirteen_lines_need_three_pages() -> None:
    assert len(data_text(render_cms1500(professional_encounter(n_lines=13)))) == 3


def test_thirteen_diagnoses_raise_claim_error_naming_the_field() -> None:
    with pytest.raises(ClaimError) as info:
        render_cms1500(professional_encounter(n_dx=13))
    assert info.value.field == "diagnoses"
    assert info.value.encounter_id == "SYN-OP-0001"
    assert "13" in info.value.problem and "item 21" in info.value.problem


def test_twelve_diagnoses_fill_a_to_l() -> None:
    page = data_text(render_cms1500(professional_encounter(n_dx=12)))[0]
    assert inside(page, BOXES["21L"]) == ["J069"]


def test_pointer_to_a_missing_diagnosis_raises() -> None:
    enc = professional_encounter(n_dx=2)
    enc.lines[0].dx_pointers = [1, 5]
    with pytest.raises(ClaimError) as info:
        render_cms1500(enc)
    assert info.value.field == "lines[0].dx_pointers"


def test_encounter_without_lines_raises() -> None:
    with pytest.raises(ClaimError) as info:
        render_cms1500(professional_encounter(lines=[]))
    assert info.value.field == "lines"


def test_output_is_deterministic() -> None:
    enc = professional_encounter(n_lines=7)
    assert render_cms1500(enc) == render_cms1500(enc)


# --- raster -----------------------------------------------------------------------------------


def test_pages_render_to_non_blank_images(tmp_path: Any) -> None:
    images = render_pngs(render_cms1500(professional_encounter(n_lines=7)), tmp_path)
    assert len(images) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page1.png", "page2.png"]
    for image in images:
        assert image.size == (612, 792)
        assert 0.01 < ink_ratio(image) < 0.5


# --- issue 17: items 11, 9, 17, 22, 23, dependents, red-form data-only print ----------------


def _page(enc: ClaimEncounter, **kw: Any) -> Text:
    return data_text(render_cms1500(enc, signed_on=dt.date(2025, 3, 20), **kw))[0]


def test_item_11_reads_none_for_medicare_primary_without_other_insurance() -> None:
    payer = {"name": "Medicare Part B", "id": "MCRB1", "filing_indicator": "MB",
             "member_id": "1EG4TE5MK73"}  # fmt: skip
    page = _page(professional_encounter(payer=payer))
    assert inside(page, BOXES["11"]) == ["NONE"]


def test_other_insurance_fills_items_9_and_11d() -> None:
    other = {"name": "Medigap Plan", "id": "MGAP1", "member_id": "MG123", "responsibility": "S",
             "group_number": "GAP-9"}  # fmt: skip
    payer = {"name": "Medicare Part B", "id": "MCRB1", "filing_indicator": "MB",
             "member_id": "1EG4TE5MK73"}  # fmt: skip
    page = _page(professional_encounter(payer=payer, other_payers=[other]))
    assert inside(page, BOXES["11"]) == []
    assert inside(page, BOXES["9"]) == ["SAMPLE, ALEX"]
    assert inside(page, BOXES["9a"]) == ["GAP-9"] and inside(page, BOXES["9d"]) == ["MEDIGAP PLAN"]


def test_dependent_prints_the_insured_in_items_4_7_and_11a() -> None:
    payer = {"name": "Example Commercial", "id": "EXCH1", "member_id": "XYZ1", "relationship": "19",
             "subscriber": {"first_name": "Dana", "last_name": "Parent", "birth_date": "1970-04-02",
                            "sex": "F"}}  # fmt: skip
    page = _page(professional_encounter(payer=payer))
    assert inside(page, BOXES["4"]) == ["PARENT, DANA"] and inside(page, BOXES["2"]) == [
        "SAMPLE, ALEX"
    ]
    assert "04 02 1970" in inside(page, BOXES["11a"])


def test_items_17_22_23_carry_ordering_resubmission_and_clia() -> None:
    enc = professional_encounter(
        ordering_provider={"npi": "1245319599", "first_name": "Olive", "last_name": "Orderer"},
        frequency="7",
        payer_claim_control_number="PCN0000000001",
        prior_authorization=None,
        clia_number="05D0987654",
    )
    page = _page(enc)
    assert inside(page, BOXES["17"]) == ["DK  OLIVE ORDERER"]
    assert inside(page, BOXES["22"]) == ["7   PCN0000000001"]
    assert inside(page, BOXES["23"]) == ["05D0987654"]


def test_data_only_print_for_red_forms_has_the_data_and_no_grid(tmp_path) -> None:
    enc = professional_encounter()
    facsimile = render_cms1500(enc, signed_on=dt.date(2025, 3, 20))
    data_only = render_cms1500(enc, signed_on=dt.date(2025, 3, 20), data_only=True)
    assert data_text(data_only)[0] == data_text(facsimile)[0]  # same data, same places
    ink_form = ink_ratio(render_pngs(facsimile, tmp_path)[0])
    ink_data = ink_ratio(render_pngs(data_only, tmp_path)[0])
    assert ink_data < ink_form / 2
