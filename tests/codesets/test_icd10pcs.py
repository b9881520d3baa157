"""ICD-10-PCS tables, index and definitions: parsing, validity by table rows, packs."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcoder.codesets import pack_store
from medcoder.codesets.icd10pcs import (
    build_pcs_pack,
    parse_definitions,
    parse_index,
    parse_tables,
    read_pcs,
)
from medcoder.errors import CodeError, SourceFileError


@pytest.fixture()
def pcs_dir(fixtures: Path) -> Path:
    return fixtures / "icd10pcs"


@pytest.fixture()
def tables(pcs_dir: Path):
    return parse_tables(pcs_dir / "mini_tables_2023.xml")


def test_codes_are_counted_across_all_rows(tables) -> None:
    assert tables.version == "2023"
    assert sorted(tables.tables) == ["001", "0DT", "BW2"]
    assert tables.count() == 15


def test_code_allowed_by_one_row_is_valid(tables) -> None:
    assert tables.is_valid("0DTJ4ZZ")
    assert tables.is_valid("00160JB")
    assert tables.is_valid("BW200ZZ")


def test_axes_taken_from_different_rows_are_invalid(tables) -> None:
    # body part 1 (Esophagus, Upper) only comes with approach 0; approach 4 is row 1's
    assert not tables.is_valid("0DT14ZZ")
    # qualifier B exists in both rows of 001 but Spinal Canal has no device J
    assert not tables.is_valid("001U3JB")
    assert not tables.is_valid("0DTJ")
    assert not tables.is_valid("XXXXXXX")


def test_describe_gives_axis_labels_and_title(tables) -> None:
    found = tables.describe("0dtj4zz")
    assert [a.label for a in found.axes] == [
        "Medical and Surgical",
        "Gastrointestinal System",
        "Resection",
        "Appendix",
        "Percutaneous Endoscopic",
        "No Device",
        "No Qualifier",
    ]
    assert found.label("approach") == "Percutaneous Endoscopic"
    assert found.title == "Resection of Appendix, Percutaneous Endoscopic Approach"
    assert "all of a body part" in found.definition


def test_labels_belong_to_the_row_not_the_table(tables) -> None:
    assert tables.describe("00160JB").label("qualifier") == "Cerebral Cisterns"
    assert tables.describe("001U3ZB").label("qualifier") == "Spinal Cisterns (row-specific label)"
    assert tables.describe("0016070").title.startswith(
        "Bypass of Cerebral Ventricle to Nasopharynx"
    )


def test_describe_invalid_code_names_the_axis_that_fails(tables) -> None:
    with pytest.raises(CodeError, match="approach '3'"):
        tables.describe("0DTJ3ZZ")
    with pytest.raises(CodeError, match="no table 0DB"):
        tables.describe("0DBJ4ZZ")
    with pytest.raises(CodeError, match="7 characters"):
        tables.describe("0DTJ4Z")


def test_values_for_prefix_lists_next_axis_choices(tables) -> None:
    assert tables.values_for("") == {"0": "Medical and Surgical", "B": "Imaging"}
    assert tables.values_for("0") == {
        "0": "Central Nervous System and Cranial Nerves",
        "D": "Gastrointestinal System",
    }
    assert set(tables.values_for("0DT")) == {"1", "2", "J"}
    assert tables.values_for("0DTJ") == {
        "0": "Open",
        "4": "Percutaneous Endoscopic",
        "7": "Via Natural or Artificial Opening",
        "8": "Via Natural or Artificial Opening Endoscopic",
    }
    assert tables.values_for("0DT1") == {"0": "Open"}
    assert tables.values_for("0DT14") == {}
    assert tables.values_for("0DTJ4ZZ") == {}
    assert tables.axis_title("BW20") == "Contrast"


def test_longest_valid_prefix_stops_at_first_axis_no_row_allows(tables) -> None:
    assert tables.longest_valid_prefix("0DTJ9ZZ") == "0DTJ"
    assert tables.longest_valid_prefix("0DT14ZZ") == "0DT1"
    assert tables.longest_valid_prefix("0DTJ4ZZ") == "0DTJ4ZZ"
    assert tables.longest_valid_prefix("Q") == ""
    assert tables.is_valid_prefix("0D") and not tables.is_valid_prefix("0E")


def test_index_leads_from_term_to_code_prefixes(pcs_dir: Path) -> None:
    index = parse_index(pcs_dir / "mini_index_2023.xml")
    assert index.code_prefixes("appendectomy") == ["0DBJ", "0DTJ"]
    (term,) = index.lookup("Appendectomy")
    assert term.children[1].reference.kind == "see"
    assert term.children[1].reference.target == "Resection, Appendix"
    (cavity,) = index.lookup("Abdominal cavity")
    assert cavity.reference.kind == "use" and cavity.reference.target == "Peritoneal Cavity"
    assert index.code_prefixes("Bypass") == ["0016", "0D1"]
    assert index.lookup("no such term") == []


def test_definitions_give_operations_approaches_and_keys(pcs_dir: Path) -> None:
    defs = parse_definitions(pcs_dir / "mini_definitions_2023.xml")
    assert defs.operations()["Excision"].definition.endswith("a portion of a body part")
    assert "biopsies" in defs.operations()["Excision"].explanation
    assert "Percutaneous Endoscopic" in defs.approaches("0")
    assert defs.body_part_key()["Hallux"] == ("1st Toe, Left", "1st Toe, Right")
    assert defs.device_key()["AbioCor(R) Total Replacement Heart"] == ("Synthetic Substitute",)
    (agg,) = defs.aggregates
    assert agg.parent_value == "7" and agg.body_systems == (
        "Heart and Great Vessels",
        "Lower Arteries",
    )


def test_pack_round_trip_keeps_tables_index_and_definitions(pcs_dir: Path) -> None:
    dest = build_pcs_pack(sorted(pcs_dir.glob("mini_*.xml")), 2023)
    assert dest == pack_store.pack_path("icd10pcs", 2023)
    conn = pack_store.open_pack(dest)
    meta = pack_store.read_meta(conn)
    assert (meta["component"], meta["version"]) == ("icd10pcs", "2023")
    assert (meta["effective_from"], meta["effective_to"]) == ("2022-10-01", "2023-09-30")
    data = read_pcs(conn)
    original = parse_tables(pcs_dir / "mini_tables_2023.xml")
    assert data.tables.tables == original.tables
    assert data.index.terms == parse_index(pcs_dir / "mini_index_2023.xml").terms
    assert (
        data.definitions.sections
        == parse_definitions(pcs_dir / "mini_definitions_2023.xml").sections
    )
    assert conn.execute("SELECT count(*) FROM pcs_code").fetchone()[0] == 15


def test_pack_without_tables_is_refused(pcs_dir: Path) -> None:
    with pytest.raises(SourceFileError, match="no ICD-10-PCS tables"):
        build_pcs_pack([pcs_dir / "mini_index_2023.xml"], 2023)


def test_pack_of_wrong_fiscal_year_is_refused(pcs_dir: Path) -> None:
    with pytest.raises(SourceFileError, match="expected FY2024"):
        build_pcs_pack([pcs_dir / "mini_tables_2023.xml"], 2024)
    assert not pack_store.pack_path("icd10pcs", 2024).exists()


def test_truncated_tables_file_reports_file_and_line(pcs_dir: Path, tmp_path: Path) -> None:
    text = (pcs_dir / "mini_tables_2023.xml").read_text()
    bad = tmp_path / "cut.xml"
    bad.write_text(text[: len(text) // 2])
    with pytest.raises(SourceFileError) as err:
        parse_tables(bad)
    assert err.value.path == str(bad) and err.value.line is not None


def test_row_without_an_axis_reports_its_line(pcs_dir: Path, tmp_path: Path) -> None:
    text = (pcs_dir / "mini_tables_2023.xml").read_text()
    start = text.index('<axis pos="7" values="1">')
    end = text.index("</axis>", start) + len("</axis>")
    bad = tmp_path / "no_qualifier.xml"
    bad.write_text(text[:start] + text[end:])
    with pytest.raises(SourceFileError, match="lacks axis 7") as err:
        parse_tables(bad)
    assert err.value.line == text[:start].count("\n") - 15  # the <pcsRow> line


def test_bad_axis_value_reports_its_line(pcs_dir: Path, tmp_path: Path) -> None:
    text = (
        (pcs_dir / "mini_tables_2023.xml")
        .read_text()
        .replace('code="J">Appendix', 'code="JJ">Appendix')
    )
    bad = tmp_path / "bad.xml"
    bad.write_text(text)
    with pytest.raises(SourceFileError, match="not one PCS character") as err:
        parse_tables(bad)
    assert err.value.line == text[: text.index('code="JJ"')].count("\n") + 1


def test_foreign_xml_is_refused(pcs_dir: Path) -> None:
    with pytest.raises(SourceFileError, match="expected <ICD10PCS.tabular>"):
        parse_tables(pcs_dir / "mini_index_2023.xml")
    with pytest.raises(SourceFileError, match="file not found"):
        parse_tables(pcs_dir / "missing.xml")


# --- the official FY2023 files ------------------------------------------------------------


@pytest.fixture(scope="module")
def official(shared_data: Path):
    folder = shared_data / "icd10pcs"
    return (
        parse_tables(folder / "icd10pcs_tables_2023.xml"),
        parse_index(folder / "icd10pcs_index_2023.xml"),
        parse_definitions(folder / "icd10pcs_definitions_2023.xml"),
    )


@pytest.mark.shared_data
def test_official_tables_hold_78530_codes_in_901_tables(official) -> None:
    tables = official[0]
    assert len(tables.tables) == 901
    assert tables.count() == 78_530


@pytest.mark.shared_data
def test_official_laparoscopic_appendectomy_is_valid(official) -> None:
    tables = official[0]
    assert tables.is_valid("0DTJ4ZZ")
    assert tables.describe("0DTJ4ZZ").title == (
        "Resection of Appendix, Percutaneous Endoscopic Approach"
    )
    assert not tables.is_valid("0DTJ3ZZ")  # no percutaneous resection of the appendix
    assert not tables.is_valid("ZZZZZZZ")


@pytest.mark.shared_data
def test_official_index_leads_appendectomy_to_0dtj(official) -> None:
    index = official[1]
    assert "0DTJ" in index.code_prefixes("Appendectomy")
    assert index.code_prefixes("Cholecystectomy") == ["0FB4", "0FT4"]


@pytest.mark.shared_data
def test_official_definitions_define_resection(official) -> None:
    defs = official[2]
    assert defs.operations("0")["Resection"].definition.startswith("Cutting out or off")
    assert len(defs.operations("0")) == 31


@pytest.mark.shared_data
def test_official_validity_check_accepts_table_codes(official) -> None:
    """Every code the tables build is valid (speed: benchmarks/bench_codesets.py)."""
    tables = official[0]
    codes = sorted(tables.valid_codes())[:5000]
    assert all(tables.is_valid(code) for code in codes)


@pytest.mark.shared_data
def test_official_pack_reloads_tables(shared_data: Path) -> None:
    folder = shared_data / "icd10pcs"
    dest = build_pcs_pack(sorted(folder.glob("icd10pcs_*_2023.xml")), 2023)
    conn = pack_store.open_pack(dest)
    data = read_pcs(conn, index=False, definitions=False)
    assert data.tables.count() == 78_530
    assert "0DTJ" in read_pcs(conn).index.code_prefixes("Appendectomy")
