"""Scrubber rules of issue 17: no false rejects on normal inpatient claims, the modifier-25
rule and NCCI advice for E/M lines, and the claim fields a clearinghouse rejects on."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from medcoder.claims.model import ClaimEncounter
from medcoder.edits import Scrubber, load_ptp
from medcoder.edits import ncci as ncci_rules
from medcoder.edits import rules_claim as rc
from medcoder.edits import rules_dx as rd
from medcoder.edits import rules_lines as rl
from medcoder.edits.findings import Severity

TODAY = dt.date(2026, 3, 1)  # as in conftest: the date "in the future" is judged against


def _stay(fixtures: Path) -> ClaimEncounter:
    return ClaimEncounter.model_validate_json(
        (fixtures / "claims" / "inpatient_admission.json").read_text()
    )


# --- CLM-DATE-001 on inpatient claims --------------------------------------------------------


def test_inpatient_lines_dated_by_the_statement_period_are_not_rejected(fixtures, run) -> None:
    stay = _stay(fixtures)
    assert any(line.service_date is None for line in stay.lines or [])
    assert run(rc.date_missing, stay) == []


def test_a_batch_of_inpatient_claims_is_not_held_for_line_dates(fixtures, built_packs) -> None:
    report = Scrubber().scrub(_stay(fixtures), today=TODAY)
    assert "CLM-DATE-001" not in [f.rule_id for f in report.findings]
    assert report.ready_to_submit, [f.rule_id for f in report.blocking]


def test_professional_line_without_any_date_is_still_rejected(make, run) -> None:
    found = run(rc.date_missing, make(service_date=None))
    assert found and found[0].lines == (1,)


# --- modifier 25 ----------------------------------------------------------------------------


def test_em_with_an_ecg_needs_no_modifier_25(make, run) -> None:
    enc = make(
        lines=[
            {"code": "99213", "charge": "120", "dx_pointers": [1]},
            {"code": "93000", "charge": "40", "dx_pointers": [1]},
        ]
    )
    assert run(rl.em_without_25, enc) == []


def test_em_with_a_minor_procedure_still_needs_modifier_25(make, run) -> None:
    enc = make(
        lines=[
            {"code": "99213", "charge": "120", "dx_pointers": [1]},
            {"code": "11721", "charge": "60", "dx_pointers": [1]},
        ]
    )
    found = run(rl.em_without_25, enc)
    assert found and found[0].rule_id == "LINE-EM25-001"


def test_ncci_fix_for_an_em_line_asks_for_modifier_25_not_59(make, run, tmp_path) -> None:
    table = tmp_path / "ptp.txt"
    table.write_text(
        "Column 1\tColumn 2\t*\tEffective Date\tDeletion Date\tModifier\tRationale\n"
        "96372\t99213\t\t20200101\t*\t1\tStandards of medical / surgical practice\n"
    )
    enc = make(
        lines=[
            {"code": "99213", "charge": "120", "dx_pointers": [1]},
            {"code": "96372", "charge": "25", "dx_pointers": [1]},
        ]
    )
    (finding,) = run(ncci_rules.ptp_unmodified, enc, ptp=load_ptp(table))
    assert "modifier 25 to the E/M" in finding.fix and "never 59" in finding.fix


# --- claim fields ----------------------------------------------------------------------------


def test_missing_birth_date_is_a_reject_and_defers_the_age_edits(make) -> None:
    enc = make(patient={"birth_date": None})
    report = Scrubber().scrub(enc, today=TODAY)
    assert "CLM-PAT-001" in [f.rule_id for f in report.blocking]
    assert report.rules_deferred["MCE-AGE-002"] == "the patient's birth date is not known yet"
    assert "CLM-DATE-003" in report.rules_deferred


def test_missing_patient_address_is_a_reject(make, run) -> None:
    found = run(rc.patient_address_missing, make(patient={"address": None}))
    assert found and found[0].severity is Severity.REJECT and found[0].rule_id == "CLM-ADDR-002"


def test_discharge_status_99_is_rejected(make, run) -> None:
    found = run(rc.discharge_status_invalid, make(discharge_status="99"))
    assert found and found[0].rule_id == "CLM-STATUS-001"
    assert run(rc.discharge_status_invalid, make(discharge_status="01")) == []


def test_institutional_claim_without_discharge_status_is_rejected(make, run) -> None:
    found = run(rc.discharge_status_invalid, make(type_of_bill="0131"))
    assert found and "CL103" in found[0].reason


def test_replacement_claim_without_the_original_number_is_rejected(make, run) -> None:
    found = run(rc.replacement_without_original, make(frequency="7"))
    assert found and found[0].rule_id == "CLM-FREQ-001"
    ok = make(frequency="7", payer_claim_control_number="PCN1")
    assert run(rc.replacement_without_original, ok) == []


def test_lab_test_without_clia_number_is_a_deny(make, run) -> None:
    lab = make(lines=[{"code": "83036", "charge": "28", "dx_pointers": [1]}])
    found = run(rc.clia_missing, lab)
    assert found and found[0].rule_id == "CLM-CLIA-001" and found[0].lines == (1,)
    assert (
        run(rc.clia_missing, make(lines=lab.model_dump()["lines"], clia_number="05D0123456")) == []
    )


# --- pending data and what did not run -------------------------------------------------------


def test_rules_reading_pending_data_are_deferred_not_run(make) -> None:
    enc = make(billing_provider={"npi": "1234567890"}, patient={"address": None})
    report = Scrubber().scrub(
        enc, today=TODAY, pending={"providers": "typed in at export", "addresses": "later"}
    )
    ids = [f.rule_id for f in report.findings]
    assert "CLM-NPI-001" not in ids and "CLM-ADDR-002" not in ids
    assert report.rules_deferred["CLM-NPI-001"] == "typed in at export"
    assert report.rules_deferred["CLM-ADDR-002"] == "later"


def test_report_says_which_edits_were_not_run(make) -> None:
    report = Scrubber().scrub(make(), today=TODAY)
    notes = report.not_run_notes()
    assert any("NCCI-PTP-001" in n and "PTP" in n for n in notes)
    assert any("MUE-001" in n for n in notes)
    assert report.to_dict()["not_run"] == notes


def test_fixture_json_round_trips_through_the_schema(fixtures) -> None:
    data = json.loads((fixtures / "claims" / "inpatient_admission.json").read_text())
    assert ClaimEncounter.model_validate(data).lines[0].code == ""


# --- POA, HCPCS validity by date, modifiers --------------------------------------------------


def test_inpatient_diagnosis_without_poa_is_rejected(fixtures, run) -> None:
    stay = _stay(fixtures)
    assert run(rd.poa_missing, stay) == []
    data = stay.model_dump(mode="json")
    data["diagnoses"][2]["poa"] = None
    (finding,) = run(rd.poa_missing, ClaimEncounter.model_validate(data))
    assert finding.rule_id == "DX-POA-001" and finding.codes == ("N17.9",)
    exempt = ClaimEncounter.model_validate({**data, "poa_exempt": True})
    assert run(rd.poa_missing, exempt) == []


def test_outpatient_claim_needs_no_poa(make, run) -> None:
    assert run(rd.poa_missing, make()) == []


def _hcpcs_2020(fixtures: Path) -> None:
    from medcoder.codesets.hcpcs import build_hcpcs_pack

    build_hcpcs_pack([fixtures / "hcpcs" / "mini_hcpc_2020.txt"], "2020")


def test_terminated_hcpcs_code_is_rejected_on_a_later_date(fixtures, make, run) -> None:
    _hcpcs_2020(fixtures)
    enc = make(
        service_date="2020-06-01",
        lines=[
            {"code": "Q0144", "charge": "10", "dx_pointers": [1]},
            {"code": "J1885", "charge": "12", "dx_pointers": [1]},
        ],
    )
    (finding,) = run(rl.hcpcs_not_in_force, enc)
    assert finding.rule_id == "LINE-CODE-001" and "terminated on 2019-12-31" in finding.reason
    assert finding.lines == (1,)


def test_unknown_modifier_is_rejected_and_cpt_modifiers_pass(fixtures, make, run) -> None:
    _hcpcs_2020(fixtures)
    enc = make(
        service_date="2020-06-01",
        lines=[
            {"code": "99213", "modifiers": ["25", "LT", "Q9"], "charge": "10", "dx_pointers": [1]}
        ],
    )
    (finding,) = run(rl.unknown_modifier, enc)
    assert finding.rule_id == "LINE-MOD-003" and finding.codes == ("99213", "Q9")


def test_hcpcs_rules_say_they_did_not_run_without_a_hcpcs_file(make) -> None:
    report = Scrubber().scrub(make(), today=TODAY)
    assert "LINE-CODE-001" in report.rules_skipped and "LINE-MOD-003" in report.rules_skipped
