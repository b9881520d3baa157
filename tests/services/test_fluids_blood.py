"""IV fluids and blood components given in an encounter -> HCPCS codes with units."""

from __future__ import annotations

import pytest

from medcoder.documents.model import Document
from medcoder.services.fluids_blood import fluid_blood_suggestions
from medcoder.services.service_codes import units_of

ED_COURSE = """HISTORY OF PRESENT ILLNESS: 74-year-old man with melena for two days, on apixaban.
MEDICATIONS: Apixaban 5 mg twice daily. Normal saline nasal spray.
ED COURSE: Hemoglobin 6.8. He received a 1 L normal saline bolus and then 2 units of PRBCs were
transfused. One unit of fresh frozen plasma was given. He was also given lactated Ringer's 500 mL.
PLAN: Will give another unit of PRBCs if hemoglobin is below 7 in the morning.
"""


def _codes(text: str) -> tuple[dict[str, int | None], list[str]]:
    codes, warnings = fluid_blood_suggestions(Document("ed", text))
    return {c.code: units_of(c) for c in codes}, warnings


def test_fluids_and_blood_given_in_the_ed_course():
    codes, warnings = _codes(ED_COURSE)
    assert codes == {"J7030": 1, "P9021": 2, "P9017": 1, "J7120": 1}
    assert any("leukocyte-reduced" in w for w in warnings)
    assert any("within 8 hours" in w for w in warnings)


def test_planned_transfusion_and_home_medications_are_not_coded():
    codes, _ = _codes(ED_COURSE)
    assert codes["P9021"] == 2  # the planned unit in the plan is not counted


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("She was given 1500 mL of normal saline.", {"J7030": 1, "J7040": 1}),
        ("NS 500 mL IV bolus x2 given.", {"J7030": 1}),
        ("He received 250 cc normal saline.", {"J7050": 1}),
        ("D5W 1 liter infused overnight.", {"J7070": 1}),
        ("Transfused 2 units of leukoreduced red blood cells.", {"P9016": 2}),
        ("One unit of apheresis platelets was transfused.", {"P9035": 1}),
        ("He received two units of cryoprecipitate.", {"P9012": 2}),
        ("No blood products were given.", {}),
        ("Normal saline was started at 100 mL/hour.", {}),
    ],
)
def test_volumes_and_units(sentence, expected):
    assert _codes("ED COURSE: " + sentence + "\n")[0] == expected


def test_a_rate_without_a_volume_is_flagged():
    _, warnings = _codes("ED COURSE: Normal saline was started at 100 mL/hour.\n")
    assert any("rate without a total volume" in w for w in warnings)
