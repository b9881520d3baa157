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


def _case(tmp_path: Path, text: str):  # noqa: ANN202
    (tmp_path / "record.txt").write_text(text)
    return load_case([tmp_path])


@pytest.fixture
def drug_table(shared_data):  # noqa: ANN201
    """The CDC Table of Drugs compiled into this test's data dir (an index pack of one file)."""
    from medcoder.codesets.icd10cm_index_pack import build_index_pack

    build_index_pack([shared_data / "icd10cm" / "icd-10-cm-drug-2025.xml"], 2025)


PHENYTOIN_ERROR = """EMERGENCY DEPARTMENT NOTE
Patient: Calvin Rhee
Date: 02/14/2019

HPI: 34 yo M with seizure disorder. Seen in clinic 02/04/2019; the prescription for Dilantin
was mistakenly written as 500 mg every eight hours instead of 500 mg daily, and the pharmacy
filled it as written.
Today he presents with ataxia, nystagmus and slurred speech.
Phenytoin level 46. Assessment: Dilantin toxicity.
"""


def test_a_drug_given_in_error_is_a_poisoning_from_the_table_of_drugs(tmp_path, drug_table) -> None:
    report = analyze_case(_case(tmp_path, PHENYTOIN_ERROR), code=False)
    poisoning = next(c for c in report.codes if c.code == "T42.0X1A")
    assert poisoning.kind == "poisoning" and "I.C.19.e.5.b" in poisoning.guideline
    quotes = " ".join(c.quote for c in poisoning.citations)
    assert "mistakenly written" in quotes and "Dilantin toxicity" in quotes
    assert not [c for c in report.codes if c.code.startswith("Y63")]  # Excludes1 under T36-T50


def test_toxicity_of_a_drug_taken_as_prescribed_is_an_adverse_effect(tmp_path, drug_table) -> None:
    note = (
        "CLINIC NOTE\nPatient: Ida Kerr\nDate: 05/01/2020\n\nOn phenytoin 300 mg daily as "
        "prescribed. Unsteady gait for a week. Assessment: phenytoin toxicity, dose held.\n"
    )
    report = analyze_case(_case(tmp_path, note), code=False)
    effect = next(c for c in report.codes if c.code == "T42.0X5A")
    assert effect.kind == "adverse_effect" and "I.C.19.e.5.a" in effect.guideline


def test_without_a_table_of_drugs_a_poisoning_is_reported_not_guessed(tmp_path) -> None:
    report = analyze_case(_case(tmp_path, PHENYTOIN_ERROR), code=False)
    assert not [c for c in report.codes if c.code.startswith("T42")]
    assert any(d.kind == "poisoning_not_coded" for d in report.data_quality)


def test_a_diagnosis_weighed_in_a_differential_is_not_coded(tmp_path) -> None:
    note = """PULMONARY CONSULT
Patient: Joan Ebbe
Date: 03/03/2021

CT chest shows bulky mediastinal adenopathy. Differential diagnosis includes lymphoma versus
sarcoidosis.
Mediastinoscopy biopsy on 03/10/2021 showed noncaseating granulomas, diagnosis sarcoidosis.
"""
    report = analyze_case(_case(tmp_path, note))
    lymphoma = [c for c in report.codes if c.code[:3] in {f"C8{i}" for i in range(1, 9)}]
    assert not lymphoma, [c.code for c in lymphoma]


def test_court_text_is_never_coding_evidence(tmp_path) -> None:
    note = """STATEMENT OF FACTS
On June 3, 2015, Mr. Ansel was admitted with community acquired pneumonia.

PROCEDURAL HISTORY
The jury found that the hospital's negligence caused his death from sepsis and awarded
wrongful death damages.
"""
    case = _case(tmp_path, note)
    report = analyze_case(case)
    procedural = {e.citation.start for e in report.chronology.procedural}
    assert procedural
    for code in report.codes:
        assert not {c.start for c in code.citations} & procedural, code.code
    assert "R99" not in {c.code for c in report.codes}


def test_only_complete_codes_are_reported_and_partial_ones_are_listed_for_the_coder(
    casework_dir, shared_data
) -> None:
    from medcoder.codesets.icd10pcs import build_pcs_pack
    from medcoder.procedures import pcs_engine

    pcs_engine._load.cache_clear()
    folder = shared_data / "icd10pcs"
    build_pcs_pack([folder / "icd10pcs_tables_2023.xml", folder / "icd10pcs_index_2023.xml"], 2023)
    try:
        report = analyze_case(load_case([casework_dir / "opinion_ob"]))
    finally:
        pcs_engine._load.cache_clear()
    assert all(len(c.code) == 7 for c in report.codes if c.system == "ICD-10-PCS")
    partial = [d for d in report.data_quality if d.kind == "incomplete_code"]
    assert partial and all(d.citation is not None for d in partial)


def test_each_record_is_annotated_once_for_chronology_and_coding(
    casework_dir, pcs_pack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chronology's negation and the coding engine read one annotated document per
    record (issue 14): the note is tokenised once for the assertion engine, not twice."""
    from medcoder.nlp import context as context_module

    tokenised: list[str] = []
    real = context_module._make_doc

    def counting(compiled, text):  # noqa: ANN001, ANN202
        tokenised.append(text)
        return real(compiled, text)

    monkeypatch.setattr(context_module, "_make_doc", counting)
    case = load_case([casework_dir / "lap_chole"])
    report = analyze_case(case)
    assert report.codes
    assert len(tokenised) == len(set(tokenised)), "a record was tokenised twice"
    assert set(tokenised) <= {d.text for d in case.documents}
