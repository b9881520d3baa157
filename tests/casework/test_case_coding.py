"""Codes of the episode: procedures coded with the ICD-10-PCS engine (issue 9 point 3), and a
missing PCS pack reported in the data-quality section instead of failing."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcoder.casework.analyze import analyze_case
from medcoder.casework.case import load_case

PCS_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "procedures"


@pytest.fixture
def pcs_pack():  # noqa: ANN201
    """The small official-format PCS pack, built into this test's own data dir."""
    from medcoder.codesets.icd10pcs import build_pcs_pack
    from medcoder.procedures import pcs_engine

    pcs_engine._load.cache_clear()  # the engine caches the pack per date, not per data dir
    build_pcs_pack(
        [PCS_FIXTURES / "pcs_tables_2023.xml", PCS_FIXTURES / "pcs_index_2023.xml"], 2023
    )
    yield
    pcs_engine._load.cache_clear()


def test_the_cholecystectomy_is_coded_with_icd10pcs_and_cites_the_operative_note(
    casework_dir, pcs_pack
) -> None:
    case = load_case([casework_dir / "lap_chole"])
    report = analyze_case(case)
    procedures = [c for c in report.codes if c.kind == "procedure"]
    assert procedures, [c.code for c in report.codes]
    resection = [c for c in procedures if c.code.startswith("0FT4")]
    assert resection and all(c.system == "ICD-10-PCS" for c in procedures)
    for cite in resection[0].citations:
        text = case.document(cite.document).text
        assert text[cite.start : cite.end] == cite.quote
    assert any("cholecystectomy" in c.quote.lower() for c in resection[0].citations)
    assert "procedures_not_coded" not in {d.kind for d in report.data_quality}
    assert any(s.text.startswith("ICD-10-PCS 0FT4") for s in report.statements())


def test_without_a_pcs_pack_the_data_quality_section_says_procedures_were_not_coded(
    casework_dir,
) -> None:
    report = analyze_case(load_case([casework_dir / "lap_chole"]))
    assert not [c for c in report.codes if c.system == "ICD-10-PCS"]
    missing = [d for d in report.data_quality if d.kind == "procedures_not_coded"]
    assert len(missing) == 1
    assert "medcoder data import" in missing[0].message
    assert any(c.system == "ICD-10-CM" for c in report.codes), "diagnoses are still coded"
