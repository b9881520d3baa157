"""Total time as real notes state it (issue 16): each phrasing levels the visit by time.

The base visit is a dictated follow-up whose MDM is low (one stable chronic illness, a refill:
99213), so only a time statement read correctly can raise the level. The phrasings are the
three of issue 16 and the ones collected from public transcriptions (mtsamples) and public
coding-guidance examples of time statements, each rewritten in our own words around the same
construction.
"""

from __future__ import annotations

from datetime import date

import pytest

from medcoder.documents.model import Document
from medcoder.documents.sections import find_sections
from medcoder.services.em_time import find_time
from medcoder.services.service_codes import service_codes, units_of

ON = date(2025, 3, 4)
VISIT = """CHIEF COMPLAINT

Follow-up of hypertension.

HISTORY OF PRESENT ILLNESS

Mr. Rivera is a 64-year-old man who returns for follow-up of his blood pressure. He checks it at
home most mornings and it runs 128-134/80. He takes amlodipine 5 mg daily without side effects.
He denies chest pain, shortness of breath or headaches.

PHYSICAL EXAMINATION

• Cardiovascular: Regular rate and rhythm. No murmurs.
• Respiratory: Lungs clear to auscultation bilaterally.

ASSESSMENT AND PLAN

Hypertension.
• Medical Reasoning: Well controlled on his current dose.
• Medical Treatment: Continue amlodipine 5 mg daily. A refill was sent to his pharmacy.

{time}
"""
# A run-together transcription, as mtsamples stores them (headings joined by commas).
TRANSCRIBED = (
    "CHIEF COMPLAINT:, Follow-up of hypertension.,HISTORY OF PRESENT ILLNESS:, The patient "
    "returns for followup of his blood pressure, which runs 130/80 at home on amlodipine.,"
    "PHYSICAL EXAMINATION:, Heart: Regular rate and rhythm. Lungs: Clear.,IMPRESSION:, "
    "Hypertension, well controlled.,PLAN:, Continue amlodipine 5 mg daily, refill sent.  {time}"
)


def _em(note: str, payer: str = "commercial") -> list[tuple[str, int | None]]:
    result = service_codes(Document("visit", note), on=ON, payer=payer, systems=("CPT", "HCPCS"))
    return [(c.code, units_of(c)) for c in result.codes if c.code.startswith(("99", "G2212"))]


def test_the_base_visit_is_low_mdm_without_a_time_statement():
    assert _em(VISIT.format(time="")) == [("99213", None)]


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        # issue 16: the phrasing that used to be the only one read, and the one that was missed
        ("I spent a total of 42 minutes on the date of the encounter.", [("99215", None)]),
        ("Total time spent on the date of the encounter: 42 minutes.", [("99215", None)]),
        # issue 16 / common counseling statement
        (
            "Greater than 50% of the visit was spent counseling him on home monitoring and salt "
            "intake; total visit time 45 minutes.",
            [("99215", None)],
        ),
        # mtsamples: "counseled extensively approximately N minutes on the nature of his disease"
        (
            "The patient was counseled extensively approximately 35 minutes on the nature of his "
            "disease and the need for monitoring.",
            [("99214", None)],
        ),
        ("I spent 30 minutes face-to-face with the patient.", [("99214", None)]),
        (
            "I spent over 40 min with the patient and his wife going over his log.",
            [("99215", None)],
        ),
        ("Time: 35 minutes.", [("99214", None)]),
        # "spent 1 hour": 60 minutes, 99215 plus one 99417 unit from minute 55
        ("I spent 1 hour with the patient reviewing his options.", [("99215", None), ("99417", 1)]),
        # "an hour and a half": 90 minutes, three units (55-69, 70-84, 85-99)
        (
            "I spent an hour and a half with the patient and his daughter today.",
            [("99215", None), ("99417", 3)],
        ),
        # mtsamples: "I spoke with the patient for over N minutes concerning these options"
        (
            "I spoke with the patient for over 35 minutes concerning these options.",
            [("99214", None)],
        ),
        # mtsamples: "Time spent in evaluation and management of this patient including
        # discussions about this procedure ... was N minutes"
        (
            "Time spent in evaluation and management of this patient including discussion of the "
            "procedure and its risks was 45 minutes.",
            [("99215", None)],
        ),
        # coding guidance: "Of this 40 minute visit 25 minutes was spent reviewing ..."
        (
            "Of this 40 minute visit 25 minutes was spent reviewing management options.",
            [("99215", None)],
        ),
        # coding guidance: "I spent 15minutes (total time 25 minutes) discussing ..." - the total
        (
            "I spent 15minutes (total time 32 minutes) discussing the diagnosis of hypertension.",
            [("99214", None)],
        ),
        (
            "Total visit time today was 30 minutes with greater than 50% spent in counseling.",
            [("99214", None)],
        ),
        (
            "We spent at least 30 minutes in direct conversation about treatment options.",
            [("99214", None)],
        ),
        (
            "Greater than 50% of this face to face visit was spent in counseling. Total time face "
            "to face: 35 minutes.",
            [("99214", None)],
        ),
        ("Time in 10:05. Time out 10:50.", [("99215", None)]),
    ],
)
def test_time_statement_levels_the_visit(statement: str, expected: list) -> None:
    assert _em(VISIT.format(time=statement)) == expected


def test_time_in_a_run_together_transcription_is_read():
    note = TRANSCRIBED.format(
        time="The patient was counseled extensively approximately 45 minutes on the nature of "
        "his disease."
    )
    assert _em(note) == [("99215", None)]


def test_medicare_prolonged_time_is_g2212_from_minute_69():
    note = VISIT.format(time="I spent a total of 70 minutes on the date of the encounter.")
    assert _em(note, payer="medicare") == [("99215", None), ("G2212", 1)]
    assert _em(note) == [("99215", None), ("99417", 2)]


@pytest.mark.parametrize(
    "statement",
    [
        "About 30 minutes were spent during the procedure and the Foley catheter was irrigated.",
        "The total time for repair of the laceration was 25 minutes.",
        "At least half an hour was spent trying to free the adhesions.",
        "TOURNIQUET TIME: 76 minutes.",
        "He will ice the knee for 20 minutes at a time 3 times a day.",
        "Preoperative antibiotics were given within 30 minutes of skin incision.",
        "Dr. Wildes and I spoke for approximately 8 minutes before the insertion.",
    ],
)
def test_durations_of_something_else_are_not_visit_time(statement: str) -> None:
    assert _em(VISIT.format(time=statement)) == [("99213", None)]


def test_critical_care_time_is_not_visit_time_and_is_flagged():
    text = VISIT.format(time="Critical care time on this patient is less than 30 minutes.")
    found = find_time(text, find_sections(text))
    assert found.minutes is None
    assert any("critical care" in flag for flag in found.review)


@pytest.mark.parametrize(
    ("phrase", "minutes"),
    [
        ("I spent a total of 1.5 hours today.", 90),
        ("Total time: forty-five minutes.", 45),
        ("I spent half an hour with him.", 30),
        ("I spent 1 hour and 15 minutes on the date of service.", 75),
        ("Total time 30-40 minutes.", 30),
    ],
)
def test_spoken_and_compound_durations(phrase: str, minutes: int) -> None:
    assert find_time(phrase, find_sections(phrase)).minutes == minutes


@pytest.mark.parametrize(
    ("phrase", "minutes"),
    [
        ("Time in 11:50 am, time out 12:35 pm.", 45),
        ("Time in 12:10 a.m. Time out 12:55 a.m.", 45),
        ("Time in 11:50, time out 12:20.", 30),
        ("Time in 10:05, time out 10:75.", None),  # no such time: no statement
    ],
)
def test_time_in_and_out_are_read_on_one_clock(phrase: str, minutes: int | None) -> None:
    assert find_time(phrase, find_sections(phrase)).minutes == minutes
