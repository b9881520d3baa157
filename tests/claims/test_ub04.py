"""UB-04 (CMS-1450) PDF: each value lands in its NUBC form locator, revenue lines continue on
extra pages with the totals line on the last, limits raise ClaimError. Synthetic data only."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from test_cms1500 import data_text, ink_ratio, inside, render_pngs

from medcoder.claims.errors import ClaimError
from medcoder.claims.model import ClaimEncounter, Line
from medcoder.claims.ub04 import BOXES, LINES_PER_PAGE, line_cell, render_ub04

Text = list[tuple[str, float, float]]


def inpatient(fixtures: Path, **changes: Any) -> ClaimEncounter:
    """The synthetic inpatient admission fixture (4 revenue lines, 4 dx, 2 procedures)."""
    data = json.loads((fixtures / "claims" / "inpatient_admission.json").read_text())
    data["rendering_provider"] = {"npi": "1003000126", "first_name": "Casey", "last_name": "Doctor"}
    data["prior_authorization"] = "AUTH-7788"
    data.update(changes)
    return ClaimEncounter.model_validate(data)


@pytest.fixture(scope="module")
def page(fixtures: Path) -> Text:
    pages = data_text(render_ub04(inpatient(fixtures), created_on=dt.date(2025, 1, 15)))
    assert len(pages) == 1
    return pages[0]


@pytest.mark.parametrize(
    "fl,expected",
    [
        ("1", "SYNTHETIC GENERAL HOSPITAL"),
        ("1", "(608) 555-0199"),
        ("3a", "SYN-IP-0002"),
        ("3b", "MRN-000222"),
        ("4", "0111"),
        ("5", "98-7654321"),
        ("6", "010625"),
        ("6", "010925"),
        ("8", "EXAMPLE, JORDAN"),
        ("9", "9 SAMPLE STREET"),
        ("10", "03021951"),
        ("11", "M"),
        ("12", "010625"),
        ("14", "1"),
        ("15", "7"),
        ("17", "01"),
        ("50", "MEDICARE PART A"),
        ("51", "MCRA1"),
        ("56", "1003000126"),
        ("58", "EXAMPLE, JORDAN"),
        ("59", "18"),
        ("60", "1EG4TE5MK73"),
        ("63", "AUTH-7788"),
        ("66", "0"),
        ("69", "R1031"),
        ("74", "0DTJ4ZZ"),
        ("74", "010625"),
        ("74a", "3E033VJ"),
        ("74a", "010725"),
        ("76", "1234567893"),
        ("76", "ATTENDING"),
        ("76", "RILEY"),
        ("78", "1003000126"),
        ("78", "82"),
        ("81", "a B3 282N00000X"),
    ],
)
def test_form_locator_carries_its_value(page: Text, fl: str, expected: str) -> None:
    assert expected in inside(page, BOXES[fl])


@pytest.mark.parametrize(
    "fl,expected",
    [
        ("67", ["K3580", "Y"]),  # principal dx, POA in the shaded cell
        ("67A", ["E119", "Y"]),
        ("67B", ["N179", "N"]),
        ("67C", ["Z794"]),  # POA 1 (exempt) is printed blank
        ("67D", []),
    ],
)
def test_diagnoses_and_poa(page: Text, fl: str, expected: list[str]) -> None:
    assert inside(page, BOXES[fl]) == expected


@pytest.mark.parametrize(
    "row,column,expected",
    [
        (0, "42", "0120"),
        (0, "43", "ROOM-BOARD/SEMI"),
        (0, "44", "1500.00"),  # accommodation: the daily rate, 4500 / 3 days
        (0, "45", ""),
        (0, "46", "3"),
        (0, "47", "4500 00"),
        (2, "42", "0301"),
        (2, "44", "80053"),
        (2, "45", "010725"),
        (2, "46", "2"),
        (2, "47", "310 40"),
        (3, "43", "N463323016501 ML0.5"),  # NDC in FL43
        (3, "44", "J1100"),
        (22, "42", "0001"),  # line 23: total charges revenue code
        (22, "43", "PAGE 1 OF 1"),
        (22, "45", "011525"),  # creation date
        (22, "47", "13028 40"),
    ],
)
def test_revenue_line_cell_carries_its_value(
    page: Text, row: int, column: str, expected: str
) -> None:
    assert " ".join(inside(page, line_cell(row, column))) == expected


def test_modifiers_follow_the_hcpcs_code(fixtures: Path) -> None:
    enc = inpatient(fixtures)
    enc.lines[2].modifiers = ["91"]
    page = data_text(render_ub04(enc))[0]
    assert inside(page, line_cell(2, "44")) == ["8005391"]


def test_twenty_five_revenue_lines_take_two_pages(fixtures: Path) -> None:
    lines = [Line(code="", revenue_code="0300", charge=f"{10 + i}.00", units=1) for i in range(25)]
    pages = data_text(render_ub04(inpatient(fixtures, lines=lines)))
    assert len(pages) == 2
    assert sum(len(inside(p, line_cell(r, "47"))) for p in pages for r in range(22)) == 2 * 25
    assert inside(pages[0], line_cell(LINES_PER_PAGE - 1, "47")) == ["31", "00"]
    assert inside(pages[1], line_cell(0, "47")) == ["32", "00"]
    assert inside(pages[1], line_cell(2, "47")) == ["34", "00"]
    assert inside(pages[1], line_cell(3, "47")) == []
    # line 23: page numbers on both, 0001 and the claim total on the last page only
    assert inside(pages[0], line_cell(22, "43")) == ["PAGE 1 OF 2"]
    assert inside(pages[0], line_cell(22, "42")) == []
    assert inside(pages[0], line_cell(22, "47")) == []
    assert inside(pages[1], line_cell(22, "43")) == ["PAGE 2 OF 2"]
    assert inside(pages[1], line_cell(22, "42")) == ["0001"]
    assert inside(pages[1], line_cell(22, "47")) == [str(sum(range(10, 35))), "00"]
    # the header repeats on the continuation page
    assert inside(pages[1], BOXES["4"]) == ["0111"]


def test_nineteen_diagnoses_raise_claim_error(fixtures: Path) -> None:
    dx = [{"code": "E11.9"}] + [{"code": f"Z{n:02d}.0"} for n in range(18)]
    with pytest.raises(ClaimError) as info:
        render_ub04(inpatient(fixtures, diagnoses=dx))
    assert info.value.field == "diagnoses"
    assert "FL67" in info.value.problem


def test_seven_procedures_raise_claim_error(fixtures: Path) -> None:
    procs = [{"code": "0DTJ4ZZ", "date": "2025-01-06"}] * 7
    with pytest.raises(ClaimError) as info:
        render_ub04(inpatient(fixtures, procedures=procs))
    assert info.value.field == "procedures"


def test_bad_revenue_code_raises(fixtures: Path) -> None:
    enc = inpatient(fixtures)
    enc.lines[1].revenue_code = "36"
    with pytest.raises(ClaimError) as info:
        render_ub04(enc)
    assert info.value.field == "lines[1].revenue_code"


def test_bad_type_of_bill_raises(fixtures: Path) -> None:
    with pytest.raises(ClaimError) as info:
        render_ub04(inpatient(fixtures, type_of_bill="11"))
    assert info.value.field == "type_of_bill"


def test_output_is_deterministic(fixtures: Path) -> None:
    enc = inpatient(fixtures)
    assert render_ub04(enc) == render_ub04(enc)


def test_pages_render_to_non_blank_images(fixtures: Path, tmp_path: Path) -> None:
    lines = [Line(code="", revenue_code="0250", charge="5.00") for _ in range(25)]
    images = render_pngs(render_ub04(inpatient(fixtures, lines=lines)), tmp_path)
    assert len(images) == 2
    for image in images:
        assert image.size == (612, 792)
        assert 0.01 < ink_ratio(image) < 0.5


# --- issue 17: FL45, FL72, FL77, dependents, FL64, codes, red-form data-only print -----------


def _page(enc: ClaimEncounter, **kw: Any) -> Text:
    return data_text(render_ub04(enc, created_on=dt.date(2025, 1, 15), **kw))[0]


def test_fl77_operating_physician_and_no_repeated_rendering(fixtures: Path) -> None:
    enc = inpatient(fixtures)
    enc = ClaimEncounter.model_validate(
        {**enc.model_dump(mode="json"), "rendering_provider": enc.attending_provider.model_dump()}
    )
    page = _page(enc)
    assert "SURGEON" in inside(page, BOXES["77"]) and "1245319599" in inside(page, BOXES["77"])
    assert inside(page, BOXES["78"]) == []


def test_fl72_holds_external_causes_not_fl67(fixtures: Path) -> None:
    data = inpatient(fixtures).model_dump(mode="json")
    data["diagnoses"].append({"code": "W19.XXXA", "poa": "Y"})
    page = _page(ClaimEncounter.model_validate(data))
    assert inside(page, BOXES["72"]) == ["W19XXXA Y"]
    assert not any(
        "W19" in t for key in BOXES if key.startswith("67") for t in inside(page, BOXES[key])
    )


def test_fl45_creation_date_is_printed(fixtures: Path) -> None:
    page = _page(inpatient(fixtures))
    assert inside(page, line_cell(22, "45")) == ["011525"]


def test_dependent_insured_replacement_dcn_and_claim_codes(fixtures: Path) -> None:
    data = inpatient(fixtures).model_dump(mode="json")
    data["payer"].update(relationship="01", subscriber={"first_name": "Sam", "last_name": "Spouse"})
    data.update(
        type_of_bill="0117",
        payer_claim_control_number="DCN123",
        condition_codes=["39"],
        occurrence_codes=[{"code": "11", "date": "2025-01-05"}],
        value_codes=[{"code": "80", "amount": "3"}],
    )
    page = _page(ClaimEncounter.model_validate(data))
    assert inside(page, BOXES["58"]) == ["SPOUSE, SAM"] and inside(page, BOXES["59"]) == ["01"]
    assert inside(page, BOXES["64"]) == ["DCN123"]
    assert inside(page, BOXES["18"]) == ["39"] and inside(page, BOXES["31"]) == ["11 010525"]
    assert inside(page, BOXES["39"]) == ["80 3.00"]


def test_data_only_print_keeps_the_data_without_the_form(fixtures: Path) -> None:
    enc = inpatient(fixtures)
    assert _page(enc, data_only=True) == _page(enc)
