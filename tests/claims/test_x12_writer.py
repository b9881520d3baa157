"""837P/837I writer: every synthetic encounter must pass pyx12, and limits raise ClaimError."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from test_x12_factory import synthetic_encounter, synthetic_encounters

from medcoder.claims.model import ClaimEncounter, Diagnosis, Line, Procedure
from medcoder.claims.npi import npi_is_valid
from medcoder.claims.x12_validate import validate_x12
from medcoder.claims.x12_writer import ClaimError, write_837i, write_837p
from medcoder.errors import MedcoderError

CREATED = dt.datetime(2025, 6, 1, 9, 5)
KW = {
    "sender_id": "SUBMITTER01",
    "receiver_id": "RECEIVER01",
    "control_number": 123,
    "created": CREATED,
}
ENCOUNTERS = synthetic_encounters()


def _fixture(fixtures: Path, name: str) -> ClaimEncounter:
    return ClaimEncounter.model_validate(json.loads((fixtures / "claims" / name).read_text()))


def _segments(x12: str) -> list[list[str]]:
    return [s.split("*") for s in x12.split("~") if s]


def _find(x12: str, seg_id: str) -> list[list[str]]:
    return [s for s in _segments(x12) if s[0] == seg_id]


def _modify(enc: ClaimEncounter, **changes: object) -> ClaimEncounter:
    return enc.model_copy(update=changes, deep=True)


# --- NPI -------------------------------------------------------------------------------


def test_npi_check_digit_accepts_the_cms_example_and_rejects_a_wrong_digit() -> None:
    assert npi_is_valid("1234567893")
    assert not npi_is_valid("1234567890")


@pytest.mark.parametrize("bad", ["", "123456789", "12345678930", "12345678a3", None])
def test_npi_check_rejects_wrong_shapes(bad: str | None) -> None:
    assert not npi_is_valid(bad)


# --- every synthetic encounter validates ------------------------------------------------------


@pytest.mark.parametrize("enc", ENCOUNTERS, ids=[e.id for e in ENCOUNTERS])
def test_synthetic_encounter_as_837p_passes_pyx12(enc: ClaimEncounter) -> None:
    assert validate_x12(write_837p(enc, **KW)) == []


@pytest.mark.parametrize("enc", ENCOUNTERS, ids=[e.id for e in ENCOUNTERS])
def test_synthetic_encounter_as_837i_passes_pyx12(enc: ClaimEncounter) -> None:
    assert validate_x12(write_837i(enc, **KW)) == []


def test_fixture_encounters_pass_pyx12(fixtures: Path) -> None:
    assert validate_x12(write_837p(_fixture(fixtures, "outpatient_office_visit.json"), **KW)) == []
    assert validate_x12(write_837i(_fixture(fixtures, "inpatient_admission.json"), **KW)) == []


# --- envelope ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "writer,version", [(write_837p, "005010X222A1"), (write_837i, "005010X223A2")]
)
def test_envelope_control_numbers_and_counts_match(writer, version: str) -> None:
    x12 = writer(ENCOUNTERS[3], **KW)
    segments = _segments(x12)
    isa, gs, st = segments[0], segments[1], segments[2]
    se, ge, iea = segments[-3], segments[-2], segments[-1]
    assert len(x12.split("~")[0]) + 1 == 106  # fixed-width ISA including its terminator
    assert isa[13] == iea[2] == "000000123" and iea[1] == "1"
    assert gs[6] == ge[2] == "123" and ge[1] == "1"
    assert st[2] == se[2] and st[3] == gs[8] == version
    assert int(se[1]) == len(segments) - 4  # ST..SE inclusive
    assert isa[11] == "^" and isa[16] == ":"


def test_one_character_sender_id_raises() -> None:
    with pytest.raises(ClaimError) as err:
        write_837p(ENCOUNTERS[0], **{**KW, "sender_id": "A"})
    assert err.value.field == "sender_id"


def test_test_usage_indicator_is_valid() -> None:
    x12 = write_837p(ENCOUNTERS[0], **KW, usage="T")
    assert x12.split("~")[0].split("*")[15] == "T"
    assert validate_x12(x12) == []


def test_control_number_out_of_range_raises() -> None:
    with pytest.raises(ClaimError) as err:
        write_837p(ENCOUNTERS[0], **{**KW, "control_number": 1_000_000_000})
    assert err.value.field == "control_number"


# --- 837P content -------------------------------------------------------------------------


def test_837p_claim_charge_is_the_sum_of_lines_and_clm05_is_pos_b_1(fixtures: Path) -> None:
    x12 = write_837p(_fixture(fixtures, "outpatient_office_visit.json"), **KW)
    clm = _find(x12, "CLM")[0]
    assert clm[1] == "SYN-OP-0001" and clm[2] == "205.5" and clm[5] == "11:B:1"
    assert _find(x12, "HI")[0][1:] == ["ABK:E1165", "ABF:I10", "ABF:E785"]
    sv1 = _find(x12, "SV1")
    assert sv1[0][1] == "HC:99214:25" and sv1[0][7] == "1:2:3"
    assert _find(x12, "LIN")[0] == ["LIN", "", "N4", "00003029305"]
    assert ["REF", "EI", "123456789"] in _segments(x12)
    assert ["PRV", "BI", "PXC", "207Q00000X"] in _segments(x12)
    assert ["SBR", "P", "18", "GRP-77", "", "", "", "", "", "CI"] in _segments(x12)
    assert ["N4", "SPRINGFIELD", "IL", "627041234"] in _segments(x12)
    assert _find(x12, "NM1")[-1][:4] == ["NM1", "82", "1", "PLACEHOLDER"]


def test_837p_without_rendering_provider_has_no_2310b() -> None:
    enc = next(e for e in ENCOUNTERS if e.rendering_provider is None)
    assert not [s for s in _find(write_837p(enc, **KW), "NM1") if s[1] == "82"]


def test_837p_thirteen_diagnoses_raise_instead_of_truncating() -> None:
    enc = _modify(
        ENCOUNTERS[11],
        diagnoses=[Diagnosis(code=f"E11.{i}") for i in range(10)]
        + [Diagnosis(code=c) for c in ("I10", "J45.909", "R05.9")],
    )
    with pytest.raises(ClaimError) as err:
        write_837p(enc, **KW)
    assert err.value.field == "diagnoses" and "12" in str(err.value)
    assert isinstance(err.value, MedcoderError)


def test_837p_five_pointers_on_a_line_raise() -> None:
    enc = ENCOUNTERS[11]  # 12 diagnoses
    lines = [enc.lines[0].model_copy(update={"dx_pointers": [1, 2, 3, 4, 5]})]
    with pytest.raises(ClaimError) as err:
        write_837p(_modify(enc, lines=lines), **KW)
    assert err.value.field == "lines[0].dx_pointers"


def test_837p_pointer_past_the_last_diagnosis_raises() -> None:
    enc = ENCOUNTERS[0]  # one diagnosis
    lines = [enc.lines[0].model_copy(update={"dx_pointers": [2]})]
    with pytest.raises(ClaimError, match="pointer 2"):
        write_837p(_modify(enc, lines=lines), **KW)


def test_837p_line_without_pointer_raises() -> None:
    enc = ENCOUNTERS[0]
    with pytest.raises(ClaimError, match="pointer"):
        write_837p(_modify(enc, lines=[enc.lines[0].model_copy(update={"dx_pointers": []})]), **KW)


def test_837p_missing_service_date_raises() -> None:
    enc = ENCOUNTERS[1]
    lines = [ln.model_copy(update={"service_date": None}) for ln in enc.lines]
    with pytest.raises(ClaimError) as err:
        write_837p(_modify(enc, service_date=None, lines=lines), **KW)
    assert err.value.field == "lines[0].service_date"


@pytest.mark.parametrize("npi", ["1234567890", ""])
def test_invalid_or_missing_billing_npi_raises(npi: str) -> None:
    enc = ENCOUNTERS[2]
    bp = enc.billing_provider.model_copy(update={"npi": npi})
    with pytest.raises(ClaimError) as err:
        write_837p(_modify(enc, billing_provider=bp), **KW)
    assert err.value.field == "billing_provider.npi"
    assert enc.id in str(err.value)


def test_missing_member_id_raises() -> None:
    enc = ENCOUNTERS[2]
    with pytest.raises(ClaimError) as err:
        write_837i(_modify(enc, payer=enc.payer.model_copy(update={"member_id": ""})), **KW)
    assert err.value.field == "payer.member_id"


def test_billing_provider_needs_zip_plus_four_and_tax_id() -> None:
    enc = ENCOUNTERS[2]
    bp = enc.billing_provider
    with pytest.raises(ClaimError, match="nine digits"):
        write_837p(
            _modify(
                enc,
                billing_provider=bp.model_copy(
                    update={"address": bp.address.model_copy(update={"zip": "62701"})}
                ),
            ),
            **KW,
        )
    with pytest.raises(ClaimError) as err:
        write_837p(_modify(enc, billing_provider=bp.model_copy(update={"tax_id": None})), **KW)
    assert err.value.field == "billing_provider.tax_id"


def test_dependent_without_the_subscribers_name_is_refused() -> None:
    enc = ENCOUNTERS[2]
    with pytest.raises(ClaimError) as err:
        write_837p(_modify(enc, payer=enc.payer.model_copy(update={"relationship": "19"})), **KW)
    assert err.value.field == "payer.subscriber"


def test_unknown_patient_relationship_is_refused() -> None:
    enc = ENCOUNTERS[2]
    with pytest.raises(ClaimError) as err:
        write_837p(_modify(enc, payer=enc.payer.model_copy(update={"relationship": "77"})), **KW)
    assert err.value.field == "payer.relationship"


def test_unknown_filing_indicator_raises() -> None:
    enc = ENCOUNTERS[2]
    with pytest.raises(ClaimError, match="SBR09"):
        write_837p(
            _modify(enc, payer=enc.payer.model_copy(update={"filing_indicator": "XX"})), **KW
        )


def test_delimiters_in_free_text_never_break_the_file() -> None:
    enc = ENCOUNTERS[4]
    patient = enc.patient.model_copy(update={"last_name": "O*Brien~Smith:Jr^"})
    x12 = write_837p(_modify(enc, patient=patient), **KW)
    assert [
        "NM1",
        "IL",
        "1",
        "O BRIEN SMITH JR",
        enc.patient.first_name.upper(),
        "",
        "",
        "",
        "MI",
        enc.payer.member_id,
    ] in _segments(x12)
    assert validate_x12(x12) == []


def test_over_long_names_raise_instead_of_truncating() -> None:
    enc = ENCOUNTERS[4]
    with pytest.raises(ClaimError) as err:
        write_837p(
            _modify(enc, patient=enc.patient.model_copy(update={"last_name": "X" * 61})), **KW
        )
    assert err.value.field == "patient.last_name"


def test_missing_submitter_phone_raises_unless_passed() -> None:
    enc = ENCOUNTERS[4]
    no_phone = _modify(
        enc, billing_provider=enc.billing_provider.model_copy(update={"phone": None})
    )
    with pytest.raises(ClaimError, match="phone"):
        write_837p(no_phone, **KW)
    assert validate_x12(write_837p(no_phone, **KW, submitter_phone="800-555-0100")) == []


# --- 837I content ---------------------------------------------------------------------------


def test_837i_inpatient_claim_segments(fixtures: Path) -> None:
    x12 = write_837i(_fixture(fixtures, "inpatient_admission.json"), **KW)
    segs = _segments(x12)
    assert _find(x12, "CLM")[0][5] == "11:A:1"
    assert ["DTP", "434", "RD8", "20250106-20250109"] in segs
    assert ["DTP", "435", "D8", "20250106"] in segs
    assert ["DTP", "096", "TM", "1130"] in segs
    assert ["CL1", "1", "7", "01"] in segs
    his = [s[1:] for s in _find(x12, "HI")]
    assert his[0] == ["ABK:K3580:::::::Y"]
    assert his[1] == ["ABJ:R1031"]
    assert his[2] == [
        "ABF:E119:::::::Y",
        "ABF:N179:::::::N",
        "ABF:Z794",
    ]  # POA 1 (exempt) is sent blank
    assert his[3] == ["BBR:0DTJ4ZZ:D8:20250106"]
    assert his[4] == ["BBQ:3E033VJ:D8:20250107"]
    assert _find(x12, "SV2")[0] == ["SV2", "0120", "", "4500", "DA", "3"]
    assert _find(x12, "SV2")[2] == ["SV2", "0301", "HC:80053", "310.4", "UN", "2"]
    assert [s for s in _find(x12, "NM1") if s[1] == "71"][0][3] == "ATTENDING"


def test_837i_twenty_five_diagnoses_and_procedures_fill_two_hi_segments_each() -> None:
    enc = synthetic_encounter(0)  # inpatient
    codes = [f"S{n:02d}.0XXA" for n in range(25)]
    enc = _modify(
        enc,
        diagnoses=[Diagnosis(code=c, poa="Y") for c in codes],
        procedures=[
            Procedure(code=f"0DT{n:02d}ZZ"[:7], date=enc.admission_date) for n in range(25)
        ],
    )
    x12 = write_837i(enc, **KW)
    his = _find(x12, "HI")
    assert [len(h) - 1 for h in his] == [1, 1, 12, 12, 1, 12, 12]
    assert validate_x12(x12) == []


def test_837i_twenty_six_diagnoses_raise() -> None:
    enc = _modify(
        synthetic_encounter(0),
        diagnoses=[Diagnosis(code=f"S{n:02d}.0XXA", poa="Y") for n in range(26)],
    )
    with pytest.raises(ClaimError, match="25"):
        write_837i(enc, **KW)


def test_837i_requires_statement_dates_type_of_bill_and_attending() -> None:
    enc = synthetic_encounter(1)  # outpatient
    lines = [ln.model_copy(update={"service_date": None}) for ln in enc.lines]
    with pytest.raises(ClaimError, match="DTP\\*434"):
        write_837i(_modify(enc, service_date=None, lines=lines), **KW)
    with pytest.raises(ClaimError) as err:
        write_837i(_modify(enc, type_of_bill=None), **KW)
    assert err.value.field == "type_of_bill"
    with pytest.raises(ClaimError) as err:
        write_837i(_modify(enc, attending_provider=None), **KW)
    assert err.value.field == "attending_provider"


def test_837i_inpatient_requires_admission_date_and_admitting_diagnosis() -> None:
    enc = synthetic_encounter(0)
    with pytest.raises(ClaimError) as err:
        write_837i(_modify(enc, admission_date=None), **KW)
    assert err.value.field == "admission_date"
    with pytest.raises(ClaimError) as err:
        write_837i(_modify(enc, admitting_diagnosis=None), **KW)
    assert err.value.field == "admitting_diagnosis"


def test_837i_procedure_without_date_raises() -> None:
    enc = synthetic_encounter(0)
    with pytest.raises(ClaimError) as err:
        write_837i(_modify(enc, procedures=[Procedure(code="0DTJ4ZZ")]), **KW)
    assert err.value.field == "procedures[0].date"


def test_837i_line_needs_a_revenue_code() -> None:
    enc = synthetic_encounter(1)
    line = Line(code="99213", charge=Decimal("10"), dx_pointers=[1])
    with pytest.raises(ClaimError) as err:
        write_837i(_modify(enc, lines=[line]), **KW)
    assert err.value.field == "lines[0].revenue_code"


def test_837i_person_only_billing_provider_is_refused() -> None:
    enc = synthetic_encounter(1)
    bp = enc.billing_provider.model_copy(
        update={"name": None, "first_name": "Solo", "last_name": "Doc"}
    )
    with pytest.raises(ClaimError, match="organisation"):
        write_837i(_modify(enc, billing_provider=bp), **KW)
