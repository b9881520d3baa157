"""Sentence splitting of case files: clinical and legal abbreviations keep their sentence."""

from __future__ import annotations

from medcoder.casework.sentences import split_sentences


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def test_dotted_initials_and_titles_keep_a_name_in_its_sentence() -> None:
    text = (
        "TRANSFER NOTE\nPt was transferred by ambulance to E.A. Conway Medical Center for higher "
        "level of care. Accepting physician Dr. J.D. Smith, surgery, was updated by phone at 2140. "
        "Report given to RN."
    )
    got = _sentences(text)
    assert got[1].startswith("Pt was transferred") and "E.A. Conway Medical Center" in got[1]
    assert got[2].startswith("Accepting physician Dr. J.D. Smith, surgery")
    assert got[3] == "Report given to RN."


def test_case_names_reporters_and_courts_do_not_end_a_sentence() -> None:
    text = (
        "See Roe v. Lakeside Hosp., 612 So. 2d 441 (La. Ct. App. 2 Cir. 1993). Plaintiffs, "
        "Mary Roe et al., appealed the judgment. The court affirmed."
    )
    assert _sentences(text) == [
        "See Roe v. Lakeside Hosp., 612 So. 2d 441 (La. Ct. App. 2 Cir. 1993).",
        "Plaintiffs, Mary Roe et al., appealed the judgment.",
        "The court affirmed.",
    ]


def test_a_clock_time_a_unit_or_a_scan_can_still_end_a_sentence() -> None:
    text = (
        "Heparin 5000 units SC was given at 3 p.m. The aPTT was drawn at 9 p.m. and reported "
        "to Dr. Ames. She ordered a CT. It showed no bleed. Dose was 1.5 mg. Patient tolerated it."
    )
    assert _sentences(text) == [
        "Heparin 5000 units SC was given at 3 p.m.",
        "The aPTT was drawn at 9 p.m. and reported to Dr. Ames.",
        "She ordered a CT.",
        "It showed no bleed.",
        "Dose was 1.5 mg.",
        "Patient tolerated it.",
    ]


def test_a_month_abbreviation_before_a_day_is_not_a_sentence_end() -> None:
    assert _sentences("Seen in clinic on Aug. 3, 1987 by Dr. Vance. Chest film ordered.") == [
        "Seen in clinic on Aug. 3, 1987 by Dr. Vance.",
        "Chest film ordered.",
    ]


def test_a_line_that_ends_mid_sentence_continues_on_the_next_line() -> None:
    text = "HPI: abdominal pain began on\nMarch 2, 1990, and has worsened.\nPLAN\nAdmit."
    assert _sentences(text) == [
        "HPI: abdominal pain began on\nMarch 2, 1990, and has worsened.",
        "PLAN",
        "Admit.",
    ]
