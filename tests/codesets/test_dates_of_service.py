"""Code sets by date of service: the pack in force on the date, else the nearest installed with
a warning naming the version used (never a refusal while one exists); validation and look-up
of every system, the system read from the code's shape or given with --system."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from medcoder.codesets import registry
from medcoder.codesets.cpt import build_cpt_pack
from medcoder.codesets.hcpcs import build_hcpcs_pack
from medcoder.codesets.icd10pcs import build_pcs_pack
from medcoder.codesets.other_lookup import lookup_cpt, lookup_hcpcs, lookup_pcs, system_of
from medcoder.codesets.systems import CodeSystem
from medcoder.codesets.validation import Status, validate_any
from medcoder.errors import CodeError, PackNotFoundError, UsageError


@pytest.fixture
def icd_packs(built_packs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The session's ICD-10-CM packs (built-in FY2026 tabular, a FY2025 index) copied into this
    test's own data dir, so that the packs a test adds never reach another test."""
    own = tmp_path / "data"
    shutil.copytree(built_packs, own)
    monkeypatch.setenv("MEDCODER_DATA_DIR", str(own))
    registry.clear_cache()
    return own


@pytest.fixture
def hcpcs_packs(fixtures: Path) -> None:
    """HCPCS 2020 (annual: the calendar year) and 2026-04 (the April quarter)."""
    folder = fixtures / "hcpcs"
    build_hcpcs_pack([folder / "mini_hcpc_2020.txt"], "2020")
    build_hcpcs_pack([folder / "mini_hcpcs_2026_04.csv", folder / "mini_hcpc_2020.txt"], "2026-04")


@pytest.fixture
def pcs_pack(fixtures: Path) -> None:
    folder = fixtures / "procedures"
    build_pcs_pack([folder / "pcs_tables_2023.xml", folder / "pcs_index_2023.xml"], 2023)


def test_the_pack_in_force_on_the_date_of_service_answers(hcpcs_packs) -> None:
    for day, version in [(date(2020, 6, 1), "2020"), (date(2026, 5, 1), "2026-04")]:
        chosen = registry.resolve("hcpcs", day)
        assert (chosen.info.version, chosen.exact, chosen.warning) == (version, True, None)


def test_without_the_dates_pack_the_nearest_answers_and_the_warning_names_it(
    hcpcs_packs,
) -> None:
    after = registry.resolve("hcpcs", date(2026, 12, 5))
    assert after.info.version == "2026-04" and not after.exact
    assert "2026-12-05" in after.warning and "used 2026-04" in after.warning
    before = registry.resolve("hcpcs", date(2019, 3, 1))
    assert before.info.version == "2020" and "used 2020" in before.warning
    # in the gap between the two, the nearer one: 2021-02-01 is a month after 2020 ended
    assert registry.resolve("hcpcs", date(2021, 2, 1)).info.version == "2020"
    # strict choice, as the claim scrubber needs it, still refuses
    with pytest.raises(PackNotFoundError, match="none in force on 2026-12-05"):
        registry.choose("hcpcs", date(2026, 12, 5), "HCPCS")


def test_a_fiscal_year_not_installed_is_named_with_the_year_used(icd_packs: Path) -> None:
    pack, chosen = registry.icd10cm_resolved(date(2026, 12, 5))  # FY2027
    assert pack.version == 2026
    assert "FY2027 is not installed" in chosen.warning and "used FY2026" in chosen.warning
    _, in_force = registry.icd10cm_resolved(date(2026, 3, 2))
    assert in_force.exact and in_force.warning is None


def test_only_a_system_with_no_pack_at_all_is_refused() -> None:
    with pytest.raises(PackNotFoundError, match="no ICD-10-PCS knowledge pack: none built yet"):
        registry.resolve("icd10pcs", date(2026, 12, 5))


def test_installed_versions_list_every_system_even_without_packs(hcpcs_packs) -> None:
    versions = registry.installed_versions()
    assert [p.version for p in versions["hcpcs"]] == ["2020", "2026-04"]
    assert versions["icd10pcs"] == [] and versions["cpt"] == []


def test_a_letter_and_four_digits_that_icd10cm_lacks_is_validated_as_hcpcs(
    icd_packs: Path, hcpcs_packs
) -> None:
    verdict = validate_any("J1885", on=date(2026, 5, 1))
    assert (verdict.system, verdict.status, verdict.title) == (
        "HCPCS",
        Status.BILLABLE,
        "Ketorolac tromethamine inj",
    )
    # the same shape that ICD-10-CM knows stays ICD-10-CM
    assert validate_any("E1122", on=date(2026, 5, 1)).system == "ICD-10-CM"


def test_without_a_hcpcs_pack_the_answer_names_both_readings(icd_packs: Path) -> None:
    verdict = validate_any("J1885", on=date(2026, 3, 2))
    assert verdict.system == "HCPCS" and verdict.status is Status.NO_PACK
    assert "not ICD-10-CM J18.85" in verdict.reason and "no HCPCS pack" in verdict.reason


def test_a_validation_against_another_years_pack_says_so(icd_packs: Path, pcs_pack) -> None:
    verdict = validate_any("0DTJ4ZZ", on=date(2026, 3, 2))
    assert verdict.valid
    assert "checked against ICD-10-PCS FY2023: FY2026 is not installed" in verdict.reason


def test_the_system_is_taken_as_people_type_it() -> None:
    assert CodeSystem.parse("hcpcs") is CodeSystem.HCPCS
    assert CodeSystem.parse("ICD-10-PCS") is CodeSystem.ICD10PCS
    assert CodeSystem.parse("pcs") is CodeSystem.ICD10PCS
    assert CodeSystem.parse("icd10cm") is CodeSystem.ICD10CM
    with pytest.raises(UsageError, match="unknown code system 'loinc'"):
        CodeSystem.parse("loinc")


def test_the_system_of_a_code_comes_from_its_shape() -> None:
    assert system_of("0DT") is CodeSystem.ICD10PCS  # a partial PCS code
    assert system_of("0DTJ4ZZ") is CodeSystem.ICD10PCS
    assert system_of("99214") is CodeSystem.CPT
    assert system_of("E11.22") is CodeSystem.ICD10CM
    assert system_of("E1122", "hcpcs") is CodeSystem.HCPCS


def test_a_pcs_code_is_looked_up_axis_by_axis_with_definitions(pcs_pack) -> None:
    entry = lookup_pcs("0dtj4zz")
    assert entry.title == "Resection of Appendix, Percutaneous Endoscopic Approach"
    assert [(d.label, d.value, d.meaning) for d in entry.details][2:5] == [
        ("Operation", "T", "Resection"),
        ("Body Part", "J", "Appendix"),
        ("Approach", "4", "Percutaneous Endoscopic"),
    ]


def test_a_partial_pcs_code_lists_the_values_of_its_next_axis(pcs_pack) -> None:
    entry = lookup_pcs("0DT")
    assert entry.status == "partial code" and entry.next_axis == "Body Part"
    assert entry.next_values["J"] == "Appendix"
    with pytest.raises(CodeError, match="after '0DTJ'"):
        lookup_pcs("0DTJQ")  # no approach Q


def test_a_hcpcs_code_and_a_modifier_are_looked_up_with_their_dates(hcpcs_packs) -> None:
    entry = lookup_hcpcs("j1885", date(2026, 5, 1))
    assert entry.version == "2026-04" and entry.status == "active"
    assert entry.title == "Injection, ketorolac tromethamine, per 15 mg"
    assert ("OPPS status indicator", "K1") in [(d.label, d.value) for d in entry.details]
    modifier = lookup_hcpcs("LT", date(2020, 6, 1))
    assert ("Kind", "modifier") in [(d.label, d.value) for d in modifier.details]


def test_cpt_is_looked_up_only_in_the_users_licensed_file(fixtures: Path) -> None:
    with pytest.raises(CodeError, match="no licensed CPT file"):
        lookup_cpt("99202")
    build_cpt_pack(fixtures / "cpt" / "synthetic_cpt.csv", 2026)
    entry = lookup_cpt("99202", date(2026, 2, 1))
    assert entry.title == "Synthetic descriptor for testing, new patient"


def test_no_submodule_shadows_the_packages_functions() -> None:
    """``codesets.lookup``/``search``/``validate`` stay functions once every submodule of
    the package is imported (a submodule named like a function replaces it on import)."""
    import importlib
    import pkgutil

    from medcoder import codesets

    for module in pkgutil.iter_modules(codesets.__path__):
        importlib.import_module(f"medcoder.codesets.{module.name}")
    for name in ("lookup", "search", "validate"):
        assert callable(getattr(codesets, name)), name
