"""What a clearinghouse checks beyond X12 syntax (issue 17): each 837 below passes pyx12 AND
carries the loop or element the 005010X222A1/X223A2 guides require for its case."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from medcoder.claims.errors import ClaimError
from medcoder.claims.model import ClaimEncounter
from medcoder.claims.x12_validate import validate_x12
from medcoder.claims.x12_writer import write_837i, write_837p

KW = {
    "sender_id": "SUBMITTER01",
    "receiver_id": "RECEIVER01",
    "control_number": 42,
    "created": dt.datetime(2025, 6, 1, 9, 5),
}


def _data(fixtures: Path, name: str) -> dict[str, Any]:
    return json.loads((fixtures / "claims" / name).read_text())


def _office(fixtures: Path, **changes: Any) -> ClaimEncounter:
    return ClaimEncounter.model_validate(
        {**_data(fixtures, "outpatient_office_visit.json"), **changes}
    )


def _stay(fixtures: Path, **changes: Any) -> ClaimEncounter:
    return ClaimEncounter.model_validate({**_data(fixtures, "inpatient_admission.json"), **changes})


def _segs(x12: str) -> list[list[str]]:
    return [s.split("*") for s in x12.split("~") if s]


def _find(x12: str, seg_id: str, first: str | None = None) -> list[list[str]]:
    return [s for s in _segs(x12) if s[0] == seg_id and (first is None or s[1] == first)]


def _valid(x12: str) -> str:
    assert validate_x12(x12) == []
    return x12


SUBSCRIBER = {"first_name": "Dana", "last_name": "Parent", "birth_date": "1970-04-02", "sex": "F"}


# --- 2: test usage by default ----------------------------------------------------------------


def test_usage_indicator_defaults_to_test(fixtures: Path) -> None:
    x12 = write_837p(_office(fixtures), **KW)
    assert x12.split("~")[0].split("*")[15] == "T"


# --- 3: dependents ---------------------------------------------------------------------------


@pytest.mark.parametrize("writer", [write_837p, write_837i])
def test_dependent_is_billed_in_the_2000c_patient_loop(fixtures: Path, writer) -> None:
    enc = _either(fixtures, writer)
    data = enc.model_dump(mode="json")
    data["payer"].update(relationship="19", subscriber=SUBSCRIBER)
    enc = ClaimEncounter.model_validate(data)
    x12 = _valid(writer(enc, **KW))
    hl = _find(x12, "HL")
    assert hl[1][1:] == ["2", "1", "22", "1"] and hl[2][1:] == ["3", "2", "23", "0"]
    sbr = _find(x12, "SBR")[0]
    assert sbr[2] == ""  # SBR02 only says 18 (self)
    assert _find(x12, "NM1", "IL")[0][3:5] == ["PARENT", "DANA"]
    assert _find(x12, "PAT")[0] == ["PAT", "19"]
    assert _find(x12, "NM1", "QC")[0][3:5] == [
        enc.patient.last_name.upper(),
        enc.patient.first_name.upper(),
    ]
    # the claim loop follows the patient loop
    names = [s[0] for s in _segs(x12)]
    assert names.index("PAT") < names.index("CLM")


def _either(fixtures: Path, writer) -> ClaimEncounter:
    return _office(fixtures) if writer is write_837p else _stay(fixtures)


# --- 4: coordination of benefits -------------------------------------------------------------


@pytest.mark.parametrize("writer", [write_837p, write_837i])
def test_secondary_payer_goes_in_the_2320_and_2330_loops(fixtures: Path, writer) -> None:
    other = {"name": "Medicare Part B", "id": "MCRB1", "filing_indicator": "MB",
             "member_id": "1EG4TE5MK73", "responsibility": "P", "paid_amount": "80.00"}  # fmt: skip
    enc = _either(fixtures, writer)
    data = enc.model_dump(mode="json")
    data["payer"]["responsibility"] = "S"
    enc = ClaimEncounter.model_validate({**data, "other_payers": [other]})
    x12 = _valid(writer(enc, **KW))
    sbrs = _find(x12, "SBR")
    assert sbrs[0][1] == "S" and sbrs[1][1:3] == ["P", "18"] and sbrs[1][9] == "MB"
    assert ["AMT", "D", "80"] in _segs(x12)
    assert _find(x12, "OI")[0] == ["OI", "", "", "Y", "", "", "Y"]
    payers = _find(x12, "NM1", "PR")
    assert [p[3] for p in payers] == [enc.payer.name.upper(), "MEDICARE PART B"]


def test_two_payers_in_the_same_place_are_refused(fixtures: Path) -> None:
    other = {"name": "Other", "id": "OTH01", "member_id": "M1", "responsibility": "P"}
    with pytest.raises(ClaimError) as err:
        write_837p(_office(fixtures, other_payers=[other]), **KW)
    assert err.value.field == "other_payers"


# --- 5: patient address ----------------------------------------------------------------------


def test_missing_patient_address_is_refused_not_omitted(fixtures: Path) -> None:
    data = _data(fixtures, "outpatient_office_visit.json")
    data["patient"].pop("address")
    with pytest.raises(ClaimError) as err:
        write_837p(ClaimEncounter.model_validate(data), **KW)
    assert err.value.field == "patient.address"


# --- 6: CLIA ---------------------------------------------------------------------------------


def test_lab_claim_carries_its_clia_number_in_ref_x4(fixtures: Path) -> None:
    x12 = _valid(write_837p(_office(fixtures, clia_number="05d0987654"), **KW))
    assert ["REF", "X4", "05D0987654"] in _segs(x12)


def test_malformed_clia_number_is_refused(fixtures: Path) -> None:
    with pytest.raises(ClaimError) as err:
        write_837p(_office(fixtures, clia_number="12345"), **KW)
    assert err.value.field == "clia_number"


# --- 7: service facility and the other provider loops ----------------------------------------

FACILITY = {"npi": "1003000126", "name": "Synthetic Draw Station",
            "address": {"line1": "5 Lab Lane", "city": "Springfield", "state": "IL", "zip": "62702"}}  # fmt: skip
ORDERING = {"npi": "1245319599", "first_name": "Lee", "last_name": "Park"}


def test_professional_claim_writes_facility_supervising_ordering_and_pay_to(fixtures: Path) -> None:
    enc = _office(
        fixtures,
        service_facility=FACILITY,
        supervising_provider={"npi": "1003000126", "first_name": "Kim", "last_name": "Lead"},
        ordering_provider=ORDERING,
        referring_provider=ORDERING,
        pay_to_address={"line1": "PO Box 9", "city": "Springfield", "state": "IL", "zip": "62705"},
    )
    x12 = _valid(write_837p(enc, **KW))
    assert _find(x12, "NM1", "77")[0][3] == "SYNTHETIC DRAW STATION"
    assert _find(x12, "NM1", "DQ")[0][3] == "LEAD"
    assert len(_find(x12, "NM1", "DK")) == len(enc.lines or [])  # 2420E on every line
    assert _find(x12, "NM1", "DN")[0][9] == "1245319599"
    assert _find(x12, "NM1", "87") == [["NM1", "87", "2"]]


def test_institutional_claim_writes_service_facility_and_referring(fixtures: Path) -> None:
    x12 = _valid(
        write_837i(_stay(fixtures, service_facility=FACILITY, referring_provider=ORDERING), **KW)
    )
    assert _find(x12, "NM1", "77") and _find(x12, "NM1", "DN")


# --- 8: line item control numbers ------------------------------------------------------------


def test_every_line_carries_a_line_item_control_number(fixtures: Path) -> None:
    data = _data(fixtures, "outpatient_office_visit.json")
    data["lines"][1]["control_number"] = "LAB-7781"
    x12 = _valid(write_837p(ClaimEncounter.model_validate(data), **KW))
    assert [s[2] for s in _find(x12, "REF", "6R")] == ["SYN-OP-0001-1", "LAB-7781", "SYN-OP-0001-3"]
    x12i = _valid(write_837i(_stay(fixtures), **KW))
    assert len(_find(x12i, "REF", "6R")) == 4


# --- 9: NDC quantity and unit ----------------------------------------------------------------


def test_ndc_quantity_and_unit_are_the_drugs_own_not_the_hcpcs_units(fixtures: Path) -> None:
    x12 = _valid(write_837p(_office(fixtures), **KW))  # J3301 x4 units, 1 ML dispensed
    assert _find(x12, "SV1")[2][4] == "4"
    assert _find(x12, "CTP")[0] == ["CTP", "", "", "", "1", "ML"]


def test_ndc_without_its_quantity_is_refused(fixtures: Path) -> None:
    data = _data(fixtures, "outpatient_office_visit.json")
    del data["lines"][2]["ndc_quantity"]
    with pytest.raises(ClaimError) as err:
        write_837p(ClaimEncounter.model_validate(data), **KW)
    assert err.value.field == "lines[2].ndc_quantity"


# --- 10: corrected and void claims -----------------------------------------------------------


@pytest.mark.parametrize("frequency", ["7", "8"])
def test_replacement_and_void_claims_name_the_original(fixtures: Path, frequency: str) -> None:
    enc = _office(fixtures, frequency=frequency, payer_claim_control_number="PCN0000000001")
    x12 = _valid(write_837p(enc, **KW))
    assert _find(x12, "CLM")[0][5] == f"11:B:{frequency}"
    assert ["REF", "F8", "PCN0000000001"] in _segs(x12)


def test_replacement_without_the_payer_claim_number_is_refused(fixtures: Path) -> None:
    with pytest.raises(ClaimError) as err:
        write_837p(_office(fixtures, frequency="7"), **KW)
    assert err.value.field == "payer_claim_control_number"
    with pytest.raises(ClaimError) as err:
        write_837i(_stay(fixtures, type_of_bill="0117"), **KW)
    assert err.value.field == "payer_claim_control_number"


def test_institutional_void_uses_the_type_of_bill_frequency(fixtures: Path) -> None:
    x12 = _valid(
        write_837i(_stay(fixtures, type_of_bill="0118", payer_claim_control_number="P9"), **KW)
    )
    assert _find(x12, "CLM")[0][5] == "11:A:8" and ["REF", "F8", "P9"] in _segs(x12)


# --- 11: the 837I ----------------------------------------------------------------------------


def test_surgical_procedure_needs_the_operating_physician(fixtures: Path) -> None:
    x12 = _valid(write_837i(_stay(fixtures), **KW))
    assert _find(x12, "NM1", "72")[0][3] == "SURGEON"
    with pytest.raises(ClaimError) as err:
        write_837i(_stay(fixtures, operating_provider=None), **KW)
    assert err.value.field == "operating_provider"


def test_final_inpatient_claim_needs_the_discharge_hour(fixtures: Path) -> None:
    with pytest.raises(ClaimError) as err:
        write_837i(_stay(fixtures, discharge_hour=None), **KW)
    assert err.value.field == "discharge_hour"


def test_point_of_origin_is_required(fixtures: Path) -> None:
    with pytest.raises(ClaimError) as err:
        write_837i(_stay(fixtures, admission_source=None), **KW)
    assert err.value.field == "admission_source"


def test_external_cause_codes_go_on_hi_abn(fixtures: Path) -> None:
    data = _data(fixtures, "inpatient_admission.json")
    data["diagnoses"] += [{"code": "W19.XXXA", "poa": "Y"}, {"code": "Y92.009", "poa": "1"}]
    x12 = _valid(write_837i(ClaimEncounter.model_validate(data), **KW))
    his = [s[1:] for s in _find(x12, "HI")]
    assert ["ABN:W19XXXA:::::::Y", "ABN:Y92009"] in his
    assert not any(c.startswith(("ABF:W", "ABF:Y")) for h in his for c in h)


def test_rendering_provider_is_not_repeated_when_it_is_the_attending(fixtures: Path) -> None:
    data = _data(fixtures, "inpatient_admission.json")
    x12 = _valid(
        write_837i(
            ClaimEncounter.model_validate(
                {**data, "rendering_provider": data["attending_provider"]}
            ),
            **KW,
        )
    )
    assert _find(x12, "NM1", "82") == []


def test_value_occurrence_condition_codes_and_reason_for_visit(fixtures: Path) -> None:
    enc = _stay(
        fixtures,
        value_codes=[{"code": "80", "amount": "3"}],
        occurrence_codes=[{"code": "11", "date": "2025-01-05"}],
        occurrence_spans=[{"code": "74", "start": "2025-01-07", "end": "2025-01-07"}],
        condition_codes=["39"],
        patient_reason_for_visit=["R10.31"],
    )
    x12 = _valid(write_837i(enc, **KW))
    his = [s[1:] for s in _find(x12, "HI")]
    for expected in (["APR:R1031"], ["BI:74:RD8:20250107-20250107"], ["BH:11:D8:20250105"],
                     ["BE:80:::3"], ["BG:39"]):  # fmt: skip
        assert expected in his


def test_room_and_board_units_are_days(fixtures: Path) -> None:
    x12 = _valid(write_837i(_stay(fixtures), **KW))
    units = {s[1]: s[4] for s in _find(x12, "SV2")}
    assert units["0120"] == "DA" and units["0301"] == "UN"


# --- 12: revenue-code-only institutional lines -----------------------------------------------


def test_revenue_code_only_lines_are_accepted_by_the_schema_and_written(fixtures: Path) -> None:
    data = _data(fixtures, "inpatient_admission.json")
    assert "code" not in data["lines"][0] and "code" not in data["lines"][1]
    enc = ClaimEncounter.model_validate(data)
    x12 = _valid(write_837i(enc, **KW))
    assert _find(x12, "SV2")[1][1:3] == ["0360", ""]


def test_a_line_without_code_or_revenue_code_is_refused_by_the_schema(fixtures: Path) -> None:
    data = _data(fixtures, "inpatient_admission.json")
    data["lines"][0].pop("revenue_code")
    with pytest.raises(ValueError, match="revenue code"):
        ClaimEncounter.model_validate(data)


def test_encounter_schema_does_not_require_a_line_code() -> None:
    from medcoder.claims.model import encounter_schema

    line = encounter_schema()["$defs"]["Line"]
    assert "code" not in line.get("required", []) and "charge" in line["required"]


# --- 13: POA ---------------------------------------------------------------------------------


def test_missing_poa_on_an_inpatient_claim_is_caught(fixtures: Path) -> None:
    data = _data(fixtures, "inpatient_admission.json")
    del data["diagnoses"][1]["poa"]
    with pytest.raises(ClaimError) as err:
        write_837i(ClaimEncounter.model_validate(data), **KW)
    assert err.value.field == "diagnoses[1].poa"
    exempt = ClaimEncounter.model_validate({**data, "poa_exempt": True})
    assert "ABF:E119" in _valid(write_837i(exempt, **KW))


# --- 15: accented names ----------------------------------------------------------------------


def test_accented_names_are_transliterated(fixtures: Path) -> None:
    data = _data(fixtures, "outpatient_office_visit.json")
    data["patient"].update(first_name="José Zoë", last_name="Muñoz-Øster")
    data["patient"]["address"]["city"] = "Española"
    x12 = _valid(write_837p(ClaimEncounter.model_validate(data), **KW))
    assert _find(x12, "NM1", "IL")[0][3:5] == ["MUNOZ-OSTER", "JOSE ZOE"]
    assert _find(x12, "N4")[1][1] == "ESPANOLA"


def test_names_in_other_scripts_are_refused_with_the_field(fixtures: Path) -> None:
    data = _data(fixtures, "outpatient_office_visit.json")
    data["patient"]["last_name"] = "王"
    with pytest.raises(ClaimError) as err:
        write_837p(ClaimEncounter.model_validate(data), **KW)
    assert err.value.field == "patient.last_name"
