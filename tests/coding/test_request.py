"""The coding request owns the setting, the systems a setting codes and the date of service;
the pipeline's components are named, ordered, replaceable and timed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import medcoder
from medcoder.coding.api import pipeline_for
from medcoder.coding.request import CodingRequest, parse_systems
from medcoder.documents.model import Encounter, Setting, date_of_service
from medcoder.errors import UsageError

NOTE = (
    "CHIEF COMPLAINT:, Cough.,HISTORY OF PRESENT ILLNESS:, Three days of productive cough.,"
    "ASSESSMENT:, Acute bronchitis.,PLAN:, Supportive care."
)


@pytest.mark.parametrize("spelling", ["Inpatient", " INPATIENT ", "inpatient", Setting.INPATIENT])
def test_setting_is_parsed_once_in_any_case(spelling: str) -> None:
    assert Setting.parse(spelling) is Setting.INPATIENT


def test_unknown_setting_is_a_usage_error_naming_the_valid_ones() -> None:
    with pytest.raises(UsageError, match="outpatient, emergency, observation"):
        Setting.parse("clinic")


def test_a_capitalised_setting_codes_end_to_end(built_packs: Path) -> None:
    result = medcoder.code(NOTE, setting="Inpatient")
    assert result.setting == "inpatient"
    assert any(c.code.startswith("J20") for c in result.codes)


@pytest.mark.parametrize(
    ("setting", "systems"),
    [
        ("inpatient", ("ICD-10-CM", "ICD-10-PCS")),
        ("abstraction", ("ICD-10-CM", "ICD-10-PCS")),
        ("outpatient", ("ICD-10-CM", "CPT", "HCPCS")),
        ("emergency", ("ICD-10-CM", "CPT", "HCPCS")),
        ("observation", ("ICD-10-CM", "CPT", "HCPCS")),
    ],
)
def test_each_setting_reports_its_own_systems(setting: str, systems: tuple[str, ...]) -> None:
    assert CodingRequest.build(setting).systems == systems


def test_systems_are_read_in_any_spelling_and_unknown_ones_refused() -> None:
    assert parse_systems("ICD10CM, icd-10-pcs") == ("ICD-10-CM", "ICD-10-PCS")
    with pytest.raises(UsageError, match="icd10cm, icd10pcs, cpt, hcpcs"):
        parse_systems("icd9")


def test_date_of_service_is_discharge_for_inpatient_and_visit_date_otherwise() -> None:
    admitted, discharged = date(2025, 9, 29), date(2025, 10, 2)
    assert date_of_service("inpatient", admitted, discharged) == discharged
    assert date_of_service("outpatient", admitted, discharged) == admitted
    assert date_of_service("emergency", None, discharged) == discharged
    stay = Encounter("e", setting=Setting.INPATIENT, admission_date=admitted)
    assert stay.service_date == admitted  # no discharge yet: the admission date


def test_a_missing_pcs_pack_leaves_procedures_out_with_a_note_not_an_error(
    built_packs: Path,
) -> None:
    result = medcoder.code(NOTE, setting="inpatient")
    assert [c for c in result.codes if c.system == "ICD-10-CM"]
    assert any("ICD-10-PCS" in w and "data import" in w for w in result.warnings)


def test_pipeline_components_are_named_in_order_and_replaceable(built_packs: Path) -> None:
    pipeline = pipeline_for(CodingRequest.build("outpatient", systems="icd10cm"))
    assert pipeline.names[:6] == [
        "annotate",
        "diagnoses",
        "guidelines",
        "scoring",
        "house_model",
        "sequencing",
    ]

    class DropAll:
        """Reports nothing (a test component)."""

        name = "guidelines"

        def __call__(self, state) -> None:  # noqa: ANN001
            state.diagnoses = []

    original = pipeline.get("guidelines")
    pipeline.replace("guidelines", DropAll())
    try:
        assert pipeline.code(medcoder.Document(id="n", text=NOTE)).codes == []
    finally:
        pipeline.replace("guidelines", original)
    result = pipeline.code(medcoder.Document(id="n", text=NOTE))
    assert result.codes
    assert set(result.pipeline) == set(pipeline.names)  # every component timed
    described = pipeline.describe()
    assert [d["name"] for d in described] == pipeline.names
    assert all(d["does"] for d in described)


def test_the_same_model_file_is_loaded_once(tmp_path: Path) -> None:
    from medcoder.coding import api

    api._models.clear()
    missing = tmp_path / "none.model"
    with pytest.raises(Exception):  # noqa: B017 - the loader's own error for a missing file
        api.load_model(missing)
    assert api._models == {}
