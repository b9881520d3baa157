"""Issues read from what the records state, each citing its evidence, with the NPDB allegation
group and the severity a reviewer would start from. Every record here is invented."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcoder.casework.analyze import analyze_case


def _report(tmp_path: Path, **records: str):  # noqa: ANN202
    for name, text in records.items():
        (tmp_path / f"{name}.txt").write_text(text)
    return analyze_case([tmp_path], code=False, negation=False)


def _issue(report, kind: str):  # noqa: ANN001, ANN202
    return next(i for i in report.issues if i.kind == kind)


def _quotes(report, issue) -> list[str]:  # noqa: ANN001
    return [report.chronology.event(i).text for i in issue.events]


def _top(report) -> tuple[str, str]:  # noqa: ANN001
    top = report.classification.allegations[0]
    return top.extra["group_code"], top.code


OP_NOTE = """OPERATIVE REPORT
Patient: Ilse Marrow
Date of surgery: 04/11/2016
Surgeon: Dr. Pascoe

PREOPERATIVE DIAGNOSIS: Symptomatic uterine fibroids.
PROCEDURE: Total abdominal hysterectomy.
The patient underwent total abdominal hysterectomy without complication. Laparotomy sponges
were used to pack the bowel. Sponge and needle counts were reported correct x2. EBL 300 mL.
"""
FOLLOW_UP = """GYN CLINIC NOTE
Patient: Ilse Marrow
Date: 05/20/2016

Persistent left lower quadrant pain and low-grade fevers since discharge.
CT abdomen/pelvis today showed a retained laparotomy sponge with surrounding abscess.
She was admitted at 1600 and underwent re-exploration with removal of the sponge.
"""


def test_a_sponge_left_after_surgery_is_a_retained_item_surgery_related(tmp_path) -> None:
    report = _report(tmp_path, a_op=OP_NOTE, b_clinic=FOLLOW_UP)
    issue = _issue(report, "retained_object")
    assert report.issues[0] is issue
    quotes = _quotes(report, issue)
    assert "underwent total abdominal hysterectomy" in quotes[0]  # the operation it followed
    assert any("retained laparotomy sponge" in q for q in quotes)
    assert _top(report) == ("20", "322")
    assert report.classification.severity.code == "4"
    factors = {f.code for f in report.classification.contributing_factors}
    assert "clinical_systems" in factors


FALL_NOTES = """NURSING ADMISSION ASSESSMENT
Patient: Walter Ng
Date: 09/14/2021

Morse fall score 65: high fall risk. Pt intermittently confused overnight, pulling at lines.
Bed alarm requested; bed rails x2 up per protocol.

NURSING NOTE 09/15/2021
At 0310 patient was found on the floor beside the bed, bed alarm not sounding.
Small abrasion to left elbow, no other injury; vital signs stable.
"""


def test_a_fall_after_a_documented_fall_risk_is_a_patient_safety_issue(tmp_path) -> None:
    report = _report(tmp_path, nursing=FALL_NOTES)
    issue = _issue(report, "fall")
    point = report.chronology.event(issue.inflection_point)
    assert "high fall risk" in point.text  # the risk known before the fall
    assert any("found on the floor" in q for q in _quotes(report, issue))
    assert _top(report) == ("70", "706")
    assert report.classification.severity.code == "2"


MAR = """MEDICATION ADMINISTRATION RECORD - NARRATIVE
Patient: Ruth Castellano
Date: 01/22/2019

2200 hydromorphone 2 mg IV given by RN Doyle. The dose had been ordered for the patient in
bed 12 and was given in error.
At 2310 the patient was difficult to arouse, RR 6; naloxone 0.4 mg IV given with response.
"""


def test_a_drug_meant_for_another_patient_is_a_wrong_medication_error(tmp_path) -> None:
    report = _report(tmp_path, mar=MAR)
    issue = _issue(report, "medication_error")
    assert any("given in error" in q for q in _quotes(report, issue))
    assert _top(report) == ("30", "324") or _top(report)[0] == "30"


HOME_MEDS = """ADMISSION MEDICATION RECONCILIATION
Patient: Victor Amsel
Date: 06/03/2017

Home medications (per pharmacy fill history and patient's list):
1. Phenytoin 100 mg three times a day
2. Lisinopril 10 mg daily
"""
DISCHARGE_RX = """DISCHARGE PRESCRIPTIONS
Patient: Victor Amsel
Date: 06/05/2017

Prescription written for phenytoin 300 mg every eight hours, #90, no refills.
"""


def test_a_dose_that_contradicts_the_charted_dose_is_a_medication_error(tmp_path) -> None:
    report = _report(tmp_path, a_rec=HOME_MEDS, b_rx=DISCHARGE_RX)
    issue = next(i for i in report.issues if "dose_contradiction" in i.flags)
    assert "phenytoin: 100 mg three times a day against 300 mg every eight hours" in (
        issue.rationale
    )
    assert _top(report) == ("30", "326")


def test_a_pharmacist_question_the_prescriber_overrode_is_raised(tmp_path) -> None:
    note = """PHARMACY INTERVENTION NOTE
Patient: Gale Ortiz
Date: 03/02/2020

Pharmacist called Dr. Kline at 1015 to question methotrexate 10 mg daily (usual regimen
weekly). Dr. Kline confirmed the order as written; pharmacy dispensed per prescriber.
"""
    report = _report(tmp_path, pharmacy=note)
    issue = next(i for i in report.issues if "pharmacist_override" in i.flags)
    assert issue.title == "Pharmacist's warning overridden"
    assert any("confirmed the order" in q for q in _quotes(report, issue))


def test_an_abnormal_result_not_communicated_is_a_communication_failure(tmp_path) -> None:
    note = """RADIOLOGY ADDENDUM
Patient: Hiram Coles
Date: 04/02/2018

Chest radiograph showed a 2 cm spiculated nodule in the right upper lobe; CT recommended.
The report was not communicated to the ordering physician and no follow-up was arranged.
"""
    report = _report(tmp_path, rad=note)
    issue = _issue(report, "communication_breakdown")
    assert any("not communicated" in q for q in _quotes(report, issue))


def test_a_return_to_the_operating_room_after_an_operation_is_unplanned(tmp_path) -> None:
    note = """HOSPITAL COURSE
Patient: Nadia Fenn
Admission date: 05/01/2019

She underwent laparoscopic appendectomy on 05/01/2019 without incident.
On postoperative day 2 she became hypotensive with a falling hemoglobin.
She was returned to the operating room for re-exploration and control of bleeding.
"""
    report = _report(tmp_path, course=note)
    issue = _issue(report, "unplanned_procedure")
    quotes = _quotes(report, issue)
    assert "laparoscopic appendectomy" in quotes[0] and "re-exploration" in quotes[1]


CHEST_FILM = """STATEMENT OF FACTS
Patient: Emil Brandt

In August 1987 Mr. Brandt, a 58-year-old smoker, saw Dr. Voss for a cough, and a chest
x-ray was taken.
The radiologist read the film as normal and no follow-up was arranged.
About fifteen months later a bronchoscopic biopsy showed adenocarcinoma of the left lung.
He died in March 1989.
"""


def test_a_normal_reading_then_a_cancer_diagnosis_is_a_delayed_diagnosis(tmp_path) -> None:
    report = _report(tmp_path, facts=CHEST_FILM)
    chron = report.chronology
    issue = report.issues[0]
    assert issue.kind == "delayed_or_missed_diagnosis"
    assert any("read the film as normal" in q for q in _quotes(report, issue))
    assert any("adenocarcinoma" in q for q in _quotes(report, issue))
    biopsy = next(e for e in chron.events if "biopsy" in e.text)
    assert (biopsy.dated_as, biopsy.date.isoformat()) == ("approximate", "1988-11-01")
    assert "months before the diagnosis" in issue.rationale
    assert _top(report) == ("1", "101")
    assert report.classification.severity.code == "9"


def test_an_order_carried_out_after_its_own_deadline_is_a_delay_in_treatment(tmp_path) -> None:
    note = """ED COURSE
Patient: Lena Ruiz
Date: 10/14/2022

At 1410 the surgeon examined her and ordered an emergency appendectomy, to start within
30 minutes.
Awaiting OR availability at 1500.
The appendectomy began at 1625 under general anesthesia.
"""
    report = _report(tmp_path, ed=note)
    issue = _issue(report, "delay_in_treatment")
    assert "135 minutes after the order" in issue.rationale
    assert _top(report) == ("60", "202")


@pytest.mark.parametrize(
    ("line", "severity"),
    [
        ("Admitted at 0900 with Dilantin toxicity, level 48.", "4"),
        ("A temporary colostomy was created at 1400.", "4"),
        ("At 0300 he was found on the floor with red knees and no fracture.", "2"),
        ("She has permanent neurological deficits after the arrest.", "7"),
        ("He was pronounced dead at 0412.", "9"),
        ("Staging showed metastatic disease that could not be cured.", "8"),
    ],
)
def test_severity_is_the_worst_injury_the_record_states(tmp_path, line, severity) -> None:
    report = _report(
        tmp_path, note=f"PROGRESS NOTE\nPatient: Ada Quinn\nDate: 02/02/2020\n\n{line}\n"
    )
    assert report.classification.severity.code == severity
    assert report.classification.severity.evidence[0].quote == line


def test_a_dose_above_the_stated_maximum_is_a_medication_error(tmp_path) -> None:
    note = """MEDICATION REVIEW
Patient: Omar Litt
Date: 07/02/2018

Ketorolac 30 mg IV every six hours ordered for sickle cell pain.
The ketorolac label warns: not to exceed 120 mg in 24 hours.
Over the next day he received 150 mg of ketorolac because doses were grouped at med pass.
"""
    report = _report(tmp_path, review=note)
    issue = next(i for i in report.issues if "dose_above_maximum" in i.flags)
    assert "ketorolac: 150 mg given or ordered against a stated maximum of 120 mg" in (
        issue.rationale
    )
    assert _top(report)[0] == "30"
