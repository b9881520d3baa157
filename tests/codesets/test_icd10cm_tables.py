"""ICD-10-CM Table of Drugs and Chemicals and Neoplasm Table: parsing, lookups, the pack."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcoder.codesets import pack_store
from medcoder.codesets.icd10cm_index_pack import (
    build_index_pack,
    read_drug_table,
    read_neoplasm_table,
    write_table,
)
from medcoder.codesets.icd10cm_tables import (
    DrugTable,
    NeoplasmTable,
    parse_drug_table,
    parse_neoplasm_table,
    parse_table,
)
from medcoder.errors import SourceFileError, UsageError


@pytest.fixture()
def drugs(fixtures: Path) -> DrugTable:
    return parse_drug_table(fixtures / "icd10cm" / "mini_drug_2025.xml")


@pytest.fixture()
def neoplasms(fixtures: Path) -> NeoplasmTable:
    return parse_neoplasm_table(fixtures / "icd10cm" / "mini_neoplasm_2025.xml")


def test_column_headings_come_from_the_index_heading(drugs: DrugTable) -> None:
    assert drugs.columns[1] == "Substance"
    assert drugs.code_columns[0] == "Poisoning Accidental (unintentional)"
    assert drugs.code_columns[-1] == "Underdosing"


def test_cells_are_keyed_by_heading_and_dash_cells_dropped(drugs: DrugTable) -> None:
    alcohol = drugs.main_term("Alcohol")
    assert alcohol.cells["Poisoning Accidental (unintentional)"] == "T51.91"
    assert "Adverse effect" not in alcohol.cells


def test_substance_nemod_is_split_from_the_title(drugs: DrugTable) -> None:
    term = drugs.main_term("2,4-D")
    assert term.nemod == ["dichlorophen-oxyacetic acid"]


def test_drug_code_by_distinctive_column_word(drugs: DrugTable) -> None:
    assert drugs.code_for("Acetaminophen", "accidental") == "T39.1X1"
    assert drugs.code_for("acetaminophen", "self-harm") == "T39.1X2"
    assert drugs.code_for("Acetaminophen", "Adverse effect") == "T39.1X5"
    assert drugs.code_for("Acetaminophen", "underdosing") == "T39.1X6"


def test_drug_subterm_path_as_text_or_list(drugs: DrugTable) -> None:
    assert drugs.code_for("Alcohol, beverage", "assault") == "T51.0X3"
    assert drugs.code_for(["Alcohol", "beverage"], "undetermined") == "T51.0X4"


def test_drug_see_reference_is_followed(drugs: DrugTable) -> None:
    assert drugs.code_for("Aleve", "adverse") == "T39.315"


def test_column_with_no_code_answers_none(drugs: DrugTable) -> None:
    assert drugs.code_for("Alcohol", "adverse effect") is None


def test_ambiguous_or_unknown_column_is_a_usage_error(drugs: DrugTable) -> None:
    with pytest.raises(UsageError, match="matches Poisoning Accidental"):
        drugs.code_for("Acetaminophen", "poisoning")
    with pytest.raises(UsageError, match="matches no column"):
        drugs.code_for("Acetaminophen", "sideways")


def test_partly_unmatched_substance_answers_none_unless_not_strict(drugs: DrugTable) -> None:
    assert drugs.code_for("Alcohol, purple", "accidental") is None
    assert drugs.code_for("Alcohol, purple", "accidental", strict=False) == "T51.91"


def test_neoplasm_site_code_per_behaviour(neoplasms: NeoplasmTable) -> None:
    assert neoplasms.code_for("lung", "malignant primary") == "C34.9-"
    assert neoplasms.code_for("lung", "secondary") == "C78.0-"
    assert neoplasms.code_for("lung", "in situ") == "D02.2-"
    assert neoplasms.code_for("lung, azygos lobe", "primary") == "C34.1-"


def test_neoplasm_site_found_by_comma_variant_and_with_neoplasm_prefix(
    neoplasms: NeoplasmTable,
) -> None:
    assert neoplasms.code_for("abdominal, wall", "benign") == "D23.5"
    assert neoplasms.code_for(["Neoplasm", "abdomen", "wall", "connective tissue"], "benign") == (
        "D21.4"
    )


def test_neoplasm_empty_site_is_the_unspecified_row(neoplasms: NeoplasmTable) -> None:
    assert neoplasms.code_for([], "unspecified") == "D49.9"


def test_neoplasm_see_reference_is_followed(neoplasms: NeoplasmTable) -> None:
    assert neoplasms.code_for("pulmonary", "uncertain") == "D38.1"


def test_neoplasm_manif_note_and_see_also_are_kept(neoplasms: NeoplasmTable) -> None:
    book_leaf = neoplasms.find("book-leaf").path[-1]
    assert book_leaf.nemod == ["mouth"]
    assert book_leaf.manif == "ventral surface of tongue and floor of mouth"
    assert neoplasms.find("abdomen, wall").path[-1].see_also == "Neoplasm, abdomen, wall, skin"


def test_a_table_is_recognised_by_headings_not_name(fixtures: Path) -> None:
    assert isinstance(parse_table(fixtures / "icd10cm" / "mini_neoplasm_2025.xml"), NeoplasmTable)
    with pytest.raises(SourceFileError, match="not the drug table"):
        parse_drug_table(fixtures / "icd10cm" / "mini_neoplasm_2025.xml")
    with pytest.raises(SourceFileError, match="not a table"):
        parse_table(fixtures / "icd10cm" / "mini_index_2025.xml")


def test_truncated_table_names_the_file_and_line(fixtures: Path, tmp_path: Path) -> None:
    text = (fixtures / "icd10cm" / "mini_drug_2025.xml").read_text()
    cut = tmp_path / "drug.xml"
    cut.write_text(text[: len(text) // 2])
    with pytest.raises(SourceFileError) as caught:
        parse_table(cut)
    assert caught.value.path == str(cut)
    assert caught.value.line is not None and caught.value.line > 20


def test_tables_survive_a_round_trip_through_sqlite(
    drugs: DrugTable, neoplasms: NeoplasmTable, tmp_path: Path
) -> None:
    dest = tmp_path / "pack.sqlite"
    with pack_store.pack_writer(dest, {"component": "test"}) as conn:
        write_table(conn, drugs)
        write_table(conn, neoplasms)
    conn = pack_store.open_pack(dest)
    assert read_drug_table(conn) == drugs
    back = read_neoplasm_table(conn)
    assert back == neoplasms
    assert back.code_for("lung", "benign") == "D14.3-"


# --------------------------------------------------------------------------- official files


@pytest.fixture(scope="module")
def official_drugs(shared_data: Path) -> DrugTable:
    return parse_drug_table(shared_data / "icd10cm" / "icd-10-cm-drug-2025.xml")


@pytest.fixture(scope="module")
def official_neoplasms(shared_data: Path) -> NeoplasmTable:
    return parse_neoplasm_table(shared_data / "icd10cm" / "icd-10-cm-neoplasm-2025.xml")


def test_official_drug_table_acetaminophen(official_drugs: DrugTable) -> None:
    assert len(official_drugs.main_terms) > 5000
    assert official_drugs.code_for("Acetaminophen", "accidental") == "T39.1X1"
    assert official_drugs.code_for("Acetaminophen", "adverse effect") == "T39.1X5"


def test_official_drug_table_follows_brand_name_to_generic(official_drugs: DrugTable) -> None:
    assert official_drugs.main_term("Aleve").see == "Naproxen"
    assert official_drugs.code_for("Aleve", "underdosing") == "T39.316"


def test_official_neoplasm_table_lung(official_neoplasms: NeoplasmTable) -> None:
    assert official_neoplasms.root.title == "Neoplasm, neoplastic"
    assert official_neoplasms.code_for("lung", "malignant primary") == "C34.9-"
    assert official_neoplasms.code_for("lung", "secondary") == "C78.0-"
    assert official_neoplasms.code_for("lung, azygos lobe", "primary") == "C34.1-"
    assert official_neoplasms.code_for([], "uncertain") == "D48.9"


def test_official_four_files_build_one_pack(shared_data: Path) -> None:
    folder = shared_data / "icd10cm"
    names = (
        "icd-10-cm-neoplasm-2025.xml",
        "icd10cm_index_2025.xml",
        "icd-10-cm-drug-2025.xml",
        "icd-10-cm-eindex-2025.xml",
    )
    conn = pack_store.open_pack(build_index_pack([folder / n for n in names], 2025))
    assert pack_store.read_meta(conn)["kinds"] == "index,eindex,drug,neoplasm"
    assert read_drug_table(conn).code_for("Acetaminophen", "assault") == "T39.1X3"
    assert read_neoplasm_table(conn).code_for("lung", "benign") == "D14.3-"
