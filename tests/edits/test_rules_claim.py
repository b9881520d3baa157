"""Required fields and dates (CLM-*): the CO-16 'missing information' family."""

from __future__ import annotations

import datetime as dt

from medcoder.edits import rules_claim as rc
from medcoder.edits.findings import Severity


def test_npi_check_digit_uses_luhn_over_80840_prefix() -> None:
    assert rc.npi_is_valid("1234567893")
    assert not rc.npi_is_valid("1234567890")
    assert not rc.npi_is_valid("123456789")
    assert not rc.npi_is_valid("12345678AB")
    assert not rc.npi_is_valid(None)


def test_npi_with_bad_check_digit_is_a_reject(make, run) -> None:
    enc = make(
        billing_provider={"npi": "1234567890"},
        rendering_provider={"npi": "1234567893"},
        referring_provider={"npi": ""},
    )
    found = run(rc.npi_invalid, enc)
    assert [f.details["role"] for f in found] == ["billing", "referring"]
    assert found[0].severity is Severity.REJECT and found[0].rule_id == "CLM-NPI-001"
    assert found[0].carc == "CO-16"


def test_valid_npi_passes(make, run) -> None:
    assert run(rc.npi_invalid, make(rendering_provider={"npi": "1234567893"})) == []


def test_billing_zip_without_plus4_is_a_reject(make, run) -> None:
    enc = make(
        billing_provider={
            "address": {"line1": "9 Oak Ave", "city": "Dayton", "state": "OH", "zip": "45402"}
        }
    )
    found = run(rc.billing_zip_plus4, enc)
    assert found and found[0].rule_id == "CLM-ADDR-001"


def test_billing_zip_plus4_passes(make, run) -> None:
    enc = make(
        billing_provider={
            "address": {"line1": "9 Oak Ave", "city": "Dayton", "state": "OH", "zip": "45402-1234"}
        }
    )
    assert run(rc.billing_zip_plus4, enc) == []


def test_blank_member_id_is_a_reject(make, run) -> None:
    found = run(rc.member_missing, make(payer={"member_id": "  "}))
    assert found and found[0].rule_id == "CLM-MEMBER-001"


def test_member_id_present_passes(make, run) -> None:
    assert run(rc.member_missing, make()) == []


def test_medicare_member_id_must_be_an_mbi(make, run) -> None:
    found = run(rc.mbi_format, make(payer={"filing_indicator": "MB", "member_id": "123456789A"}))
    assert found and found[0].rule_id == "CLM-MEMBER-002"


def test_mbi_with_dashes_passes_and_commercial_ids_are_not_checked(make, run) -> None:
    assert (
        run(rc.mbi_format, make(payer={"filing_indicator": "MB", "member_id": "1EG4-TE5-MK73"}))
        == []
    )
    assert run(rc.mbi_format, make(payer={"member_id": "123456789A"})) == []


def test_missing_service_date_is_a_reject(make, run) -> None:
    found = run(rc.date_missing, make(service_date=None))
    assert found and found[0].lines == (1,) and found[0].rule_id == "CLM-DATE-001"


def test_inpatient_without_admission_date_is_a_reject(make, run) -> None:
    found = run(rc.date_missing, make(setting="inpatient", discharge_date="2026-01-20"))
    assert any("admission" in f.reason for f in found)


def test_dated_lines_pass_without_encounter_date(make, run) -> None:
    lines = [{"code": "99213", "charge": "1", "dx_pointers": [1], "service_date": "2026-01-15"}]
    assert run(rc.date_missing, make(service_date=None, lines=lines)) == []


def test_future_date_is_a_reject(make, run) -> None:
    found = run(rc.date_future, make(service_date="2026-04-01"), today=dt.date(2026, 3, 1))
    assert (
        found and found[0].rule_id == "CLM-DATE-002" and found[0].details["field"] == "service_date"
    )


def test_past_date_passes_future_check(make, run) -> None:
    assert run(rc.date_future, make(), today=dt.date(2026, 3, 1)) == []


def test_service_before_birth_is_a_reject(make, run) -> None:
    lines = [{"code": "99213", "charge": "1", "dx_pointers": [1], "service_date": "1969-01-01"}]
    found = run(rc.date_before_birth, make(lines=lines))
    assert found and found[0].lines == (1,) and found[0].rule_id == "CLM-DATE-003"


def test_service_after_birth_passes(make, run) -> None:
    assert run(rc.date_before_birth, make()) == []


def test_discharge_before_admission_is_a_reject(make, run) -> None:
    enc = make(setting="inpatient", admission_date="2026-01-10", discharge_date="2026-01-05")
    found = run(rc.discharge_before_admission, enc)
    assert found and found[0].rule_id == "CLM-DATE-004"


def test_discharge_after_admission_passes(make, run) -> None:
    enc = make(setting="inpatient", admission_date="2026-01-10", discharge_date="2026-01-12")
    assert run(rc.discharge_before_admission, enc) == []


def test_claim_without_diagnosis_is_a_reject(make, run) -> None:
    found = run(rc.no_diagnosis, make(diagnoses=[]))
    assert found and found[0].rule_id == "CLM-DX-001"


def test_claim_with_diagnosis_passes(make, run) -> None:
    assert run(rc.no_diagnosis, make()) == []


def test_thirteen_diagnoses_exceed_the_837p_limit(make, run) -> None:
    dx = [{"code": f"I{n:02d}"} for n in range(13)]
    found = run(rc.too_many_dx, make(diagnoses=dx))
    assert found and found[0].rule_id == "CLM-DX-002" and found[0].codes == ("I12",)


def test_837i_holds_25_diagnoses(make, run) -> None:
    dx = [{"code": f"I{n:02d}"} for n in range(25)]
    assert run(rc.too_many_dx, make(diagnoses=dx, type_of_bill="0131")) == []
    assert run(rc.too_many_dx, make(diagnoses=[*dx, {"code": "R69"}], type_of_bill="0131"))
    assert run(rc.too_many_dx, make(diagnoses=dx[:12])) == []
