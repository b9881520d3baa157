"""service_codes(): E/M with its grid, drug codes with units, procedures with modifiers."""

from __future__ import annotations

from datetime import date

import pytest

from medcoder.codesets.cpt import build_cpt_pack
from medcoder.codesets.hcpcs import build_hcpcs_pack
from medcoder.documents.model import Document
from medcoder.errors import UsageError
from medcoder.services.service_codes import modifiers_of, service_codes, units_of

ON = date(2024, 5, 1)
MODERATE = (
    "Established patient returns for follow-up.\n"
    "ASSESSMENT AND PLAN:\n"
    "1. Type 2 diabetes, poorly controlled. Increase metformin 1000 mg twice daily.\n"
    "2. Hypertension, stable chronic illness.\n"
    "Ordered hemoglobin a1c and BMP.\n"
)


@pytest.fixture
def hcpcs(fixtures):
    return build_hcpcs_pack(fixtures / "services" / "svc_hcpc2020.txt", "2020")


@pytest.fixture
def cpt(fixtures):
    return build_cpt_pack(fixtures / "services" / "synthetic_cpt_services.csv", 2024)


def _by_code(result):
    return {c.code: c for c in result.codes}


def test_office_established_moderate_is_99214_with_the_grid():
    result = service_codes(MODERATE, on=ON)
    codes = _by_code(result)
    em = codes["99214"]
    assert em.system == "CPT" and em.description == ""
    assert result.em is not None and result.em.code == "99214"
    assert "problems: moderate from 'poorly controlled', 'stable chronic'" in em.path
    assert any(line.startswith("data: low") for line in em.path)
    assert any(line.startswith("risk: moderate") for line in em.path)
    assert "decided by MDM moderate: 2 of 3 elements" in em.path
    assert {e.text for e in em.evidence} >= {"poorly controlled", "stable chronic"}
    assert all(MODERATE[e.start : e.end] == e.text for e in em.evidence)
    assert em.score >= 0.8
    assert any("no licensed CPT file" in w for w in result.warnings)


def test_no_cpt_pack_means_no_procedure_codes():
    note = MODERATE + "PROCEDURE: aspiration of fluid from the right knee joint.\n"
    result = service_codes(note, on=ON)
    assert [c.code for c in result.codes if c.system == "CPT"] == ["99214"]
    assert modifiers_of(_by_code(result)["99214"]) == []


def test_time_decides_with_prolonged_units():
    note = (
        "Established patient.\nASSESSMENT AND PLAN:\n1. Hypertension, stable chronic illness.\n"
        "I spent a total of 70 minutes on the date of the encounter.\n"
    )
    codes = _by_code(service_codes(note, on=ON))
    assert "decided by time 70 min" in codes["99215"].path
    assert units_of(codes["99417"]) == 2
    medicare = _by_code(service_codes(note, on=ON, payer="medicare"))
    assert medicare["G2212"].system == "HCPCS" and units_of(medicare["G2212"]) == 1


def test_emergency_and_new_patient_settings():
    ed = service_codes(MODERATE, on=ON, setting="emergency")
    assert ed.em.code == "99284"
    new = service_codes(MODERATE, on=ON, new_patient=True)
    assert new.em.code == "99204"
    assert any("disagrees" in w for w in new.warnings)


def test_needs_review_lowers_the_score_and_warns():
    note = "ASSESSMENT AND PLAN:\n1. Hypertension, stable chronic illness.\n"
    result = service_codes(note, on=ON)
    (em,) = [c for c in result.codes if c.system == "CPT"]
    assert em.score < 0.7
    assert any(w.startswith("E/M: new vs established") for w in result.warnings)


def test_drugs_procedures_and_modifier_25_together(hcpcs, cpt):
    note = MODERATE + (
        "PROCEDURE: Aspiration of fluid from the left knee joint performed.\n"
        "Ceftriaxone 1 g IM given. No ondansetron given.\n"
    )
    result = service_codes(Document("visit-1", note), on=ON)
    codes = _by_code(result)
    assert codes["99214"].description == "Synthetic descriptor 1"
    assert modifiers_of(codes["99214"]) == ["25"]
    assert modifiers_of(codes["00011"]) == ["LT"]
    assert units_of(codes["J0696"]) == 4
    assert "J2405" not in codes
    assert all(e.document == "visit-1" for c in result.codes for e in c.evidence)
    assert any("modifier 25" in w for w in result.warnings)


def test_systems_filter_and_a_visit_note_in_a_hospital_is_initial_hospital_care(hcpcs):
    note = "Ceftriaxone 1 g IV given.\n" + MODERATE
    only_drugs = service_codes(note, on=ON, systems=("HCPCS",))
    assert {c.system for c in only_drugs.codes} == {"HCPCS"} and only_drugs.em is None
    inpatient = service_codes(note, on=ON, setting="inpatient", systems=("CPT",))
    assert [c.code for c in inpatient.codes] == ["99222"]  # moderate MDM, 2023 hospital family
    assert any("subsequent care" in w for w in inpatient.warnings)
    with pytest.raises(UsageError):
        service_codes(note, setting="nursing")


def test_year_before_2021_office_rules_is_a_warning():
    result = service_codes(MODERATE, on=date(2020, 6, 1), systems=("CPT",))
    assert result.em is None and any("before 2021" in w for w in result.warnings)
    assert result.to_dict()["em"] is None


def test_contradictory_times_leave_the_level_to_mdm_and_flag_it_for_review():
    """Issue 5, bad input: two different total times are not averaged or guessed between."""
    note = MODERATE + "I spent 45 minutes with the patient.\nTotal time 62 minutes.\n"
    result = service_codes(note, on=ON)
    assert result.em.path == "mdm" and result.em.total_minutes is None
    (em,) = [c for c in result.codes if c.code == result.em.code]
    assert em.score < 0.7
    (flag,) = [w for w in result.warnings if "contradictory total times" in w]
    assert "45, 62 minutes" in flag and "one total time" in flag


def test_discharge_summary_gets_no_office_em_level():
    """A hospital stay's discharge summary documents no office or ED visit: leveling it as one
    would bill a visit that never happened."""
    note = "HOSPITAL COURSE:\nAdmitted for pneumonia, treated.\n" + MODERATE
    result = service_codes(note, on=ON)
    assert result.em is None
    assert not [c for c in result.codes if c.code.startswith("992")]
    assert any("discharge summary" in w for w in result.warnings)
    assert "99214" in _by_code(service_codes(MODERATE, on=ON))
