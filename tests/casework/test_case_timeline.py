"""The chronology orders events by what the records know: dates with their precision, events
counted from other events, onsets that do not move the anchor, the procedural history apart,
records kept (and flagged) when a header names the patient differently."""

from __future__ import annotations

import re
from pathlib import Path

from medcoder.casework.analyze import analyze_case
from medcoder.casework.case import load_case
from medcoder.casework.chronology import build_chronology


def _folder(tmp_path: Path, **records: str) -> Path:
    for name, text in records.items():
        (tmp_path / f"{name}.txt").write_text(text)
    return tmp_path


def _chron(folder: Path):  # noqa: ANN202
    return build_chronology(load_case([folder]))


def _find(events, words: str):  # noqa: ANN001, ANN202
    return next(e for e in events if words in e.text)


ENDOSCOPY = """ENDOSCOPY SUITE / PACU NARRATIVE
Patient: Rosalind Pike
MRN: 4471-22

Dr. Ames performed an upper endoscopy with dilation under moderate sedation.
Immediately after the procedure the patient reported substernal chest pain, 8/10.
The recovery nurse attributed the pain to insufflated air and gave simethicone 80 mg.
After forty minutes in recovery she was discharged home with her daughter.
About ten hours later a CT scan at an outside ED showed free air and pneumomediastinum.
She was taken to the operating room for repair of an esophageal perforation.
"""


def test_events_counted_from_an_undated_event_follow_it_in_the_timeline(tmp_path) -> None:
    chron = _chron(_folder(tmp_path, pacu=ENDOSCOPY))
    scope = _find(chron.undated, "performed an upper endoscopy")
    pain = _find(chron.undated, "Immediately after the procedure")
    discharge = _find(chron.undated, "After forty minutes in recovery")
    ct = _find(chron.undated, "About ten hours later")
    assert scope.dated_as == "undated" and scope.relative_to is None
    assert pain.relative_to == scope.id and pain.dated_as == "relative"
    assert discharge.relative_to == scope.id  # "in recovery": counted from the procedure
    assert ct.relative_to == discharge.id
    order = [e.id for e in chron.timeline()]
    assert order.index(scope.id) < order.index(pain.id) < order.index(discharge.id)
    assert order.index(discharge.id) < order.index(ct.id)
    message = next(d.message for d in chron.data_quality if d.citation == ct.citation)
    assert "relative to an earlier event" in message


def test_a_symptom_onset_date_dates_its_sentence_but_not_the_admission_after_it(
    tmp_path,
) -> None:
    note = """ADMISSION H&P
Patient: Deloris Lucas
Date of admission: 03/10/1990

HPI: 51 yo F admitted with abdominal distension and obstipation. Her abdominal pain began on
March 2, 1990, and has worsened daily.
The next day a barium enema was given by radiology.
Two days after the enema she was taken to surgery for a sigmoid perforation.
"""
    chron = _chron(_folder(tmp_path, hp=note))
    onset = _find(chron.events, "began on")
    enema = _find(chron.events, "barium enema was given")
    surgery = _find(chron.events, "taken to surgery")
    assert onset.date.isoformat() == "1990-03-02"
    assert enema.date.isoformat() == "1990-03-11"  # the day after admission, not after onset
    assert surgery.date.isoformat() == "1990-03-13" and surgery.relative_to == enema.id
    assert [e.id for e in chron.events].index(onset.id) == 0


def test_two_events_on_different_days_in_one_sentence_are_two_events(tmp_path) -> None:
    note = (
        "OBSERVATION UNIT\nDate: 08/07/2015\n\nShe was placed in observation for chest pain and "
        "was discharged the next morning with a stress test scheduled.\n"
    )
    chron = _chron(_folder(tmp_path, obs=note))
    placed = _find(chron.events, "placed in observation")
    home = _find(chron.events, "was discharged the next morning")
    assert placed.date.isoformat() == "2015-08-07" and home.date.isoformat() == "2015-08-08"


FACTS_AND_PROCEEDINGS = """STATEMENT OF FACTS
On May 3, 1994, Mr. Hale underwent a right carotid endarterectomy.
He died on May 5, 1994, of a hemorrhagic stroke.
His widow filed a wrongful death suit against the surgeon in 1995.

PROCEDURAL HISTORY
The jury returned a verdict for the surgeon on June 2, 1997.
On appeal, the court of appeals affirmed on March 30, 1999.
"""


def test_suit_verdict_and_appeal_are_the_procedural_history_not_care(tmp_path) -> None:
    chron = _chron(_folder(tmp_path, opinion=FACTS_AND_PROCEEDINGS))
    procedural = [e.text for e in chron.procedural]
    assert any("wrongful death suit" in t for t in procedural)
    assert any("verdict for the surgeon" in t for t in procedural)
    assert any("affirmed on March 30, 1999" in t for t in procedural)
    clinical = " ".join(e.text for e in chron.clinical())
    assert "verdict" not in clinical and "suit" not in clinical
    assert [e.date.isoformat() for e in chron.events] == ["1994-05-03", "1994-05-05"]


def test_severity_comes_from_the_death_the_record_states_not_a_damages_sentence(
    tmp_path,
) -> None:
    report = analyze_case(_folder(tmp_path, opinion=FACTS_AND_PROCEEDINGS).glob("*"), code=False)
    severity = report.classification.severity
    assert severity.code == "9"
    assert [c.quote for c in severity.evidence] == [
        "He died on May 5, 1994, of a hemorrhagic stroke."
    ]


def test_a_wrongful_death_claim_is_not_a_death_when_the_patient_survived(tmp_path) -> None:
    facts = """DISCHARGE SUMMARY
Patient: Tomas Greer
Date: 11/02/2011

Hospital course complicated by an anastomotic leak requiring a temporary colostomy.
He was discharged home in stable condition.

PROCEDURAL HISTORY
The petition sought wrongful death damages although the patient is alive.
"""
    report = analyze_case([_folder(tmp_path, summary=facts)], code=False)
    assert report.classification.severity.code == "4"
    assert "colostomy" in report.classification.severity.rationale


def test_a_header_that_adds_a_description_to_the_name_keeps_the_record(tmp_path) -> None:
    folder = _folder(
        tmp_path,
        a_nursing="NURSING NOTE\nPatient: Deloris Lucas, 51-year-old woman\nDate: 03/10/1990\n\n"
        "Barium enema given at 0900 per order.\n",
        b_progress="PROGRESS NOTE\nPatient: LUCAS, DELORIS\nDate: 03/11/1990\n\n"
        "Abdomen distended and tender at 0700.\n",
    )
    chron = _chron(folder)
    assert {e.document for e in chron.events} == {"a_nursing", "b_progress"}
    assert not [d for d in chron.data_quality if d.kind in ("other_patient", "identity_check")]


def test_a_record_with_one_differing_identifier_is_kept_and_flagged_for_the_examiner(
    tmp_path,
) -> None:
    folder = _folder(
        tmp_path,
        a_ed="ED NOTE\nPatient: Rosalind Pike\nMRN: 4471-22\nDate: 02/01/2020\n\n"
        "Seen at 1400 for dysphagia.\n",
        b_clinic="CLINIC NOTE\nPatient: Rosalind Pike\nMRN: 99-0031\nDate: 02/09/2020\n\n"
        "Seen at 1000 for follow-up of dysphagia.\n",
        c_ward="WARD NOTE\nPatient: Rosalind Pike\nMRN: 4471-22\nDate: 02/10/2020\n\n"
        "Admitted at 0800 for endoscopy.\n",
    )
    chron = _chron(folder)
    assert "b_clinic" in {e.document for e in chron.events}
    flag = next(d for d in chron.data_quality if d.kind == "identity_check")
    assert flag.source == "b_clinic" and "mrn" in flag.message and "kept" in flag.message


def test_month_year_variant_of_opinion_sea_keeps_its_issue_and_allegation(
    casework_dir, tmp_path
) -> None:
    text = (casework_dir / "opinion_sea" / "statement_of_facts.txt").read_text()
    varied = text.replace("On January 8, 2019,", "In January 2019,")
    varied = varied.replace("Three days later, on January 11, 2019,", "Three days later")
    varied = varied.replace("on January 12, 2019", "in January 2019")
    assert not re.search(r"January \d{1,2},", varied)
    (tmp_path / "statement_of_facts.txt").write_text(varied)
    report = analyze_case([tmp_path], code=False)
    chron = report.chronology
    assert _find(chron.events, "In January 2019, plaintiff").dated_as == "month"
    assert _find(chron.events, "Three days later").dated_as == "month"
    assert report.issues[0].kind == "delayed_or_missed_diagnosis"
    top = report.classification.allegations[0]
    assert (top.extra["group_code"], top.code) == ("1", "200")
    assert len([e for e in chron.events if e.date]) >= 8
