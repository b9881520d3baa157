"""ICD-10-CM Alphabetic Index and External Cause Index: parsing, coder-style walks, the pack."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcoder.codesets import pack_store
from medcoder.codesets.icd10cm_index import (
    Index,
    detect_kind,
    parse_index,
    split_nemod,
)
from medcoder.codesets.icd10cm_index_pack import build_index_pack, read_index, write_index
from medcoder.errors import PackNotFoundError, SourceFileError


@pytest.fixture()
def mini(fixtures: Path) -> Index:
    return parse_index(fixtures / "icd10cm" / "mini_index_2025.xml")


@pytest.fixture()
def mini_files(fixtures: Path) -> list[Path]:
    folder = fixtures / "icd10cm"
    return [folder / f"mini_{kind}_2025.xml" for kind in ("index", "eindex", "drug", "neoplasm")]


# --------------------------------------------------------------------------- parsing


def test_header_version_title_and_letters_are_read(mini: Index) -> None:
    assert (mini.version, mini.kind) == ("2025", "index")
    assert mini.title == "ICD-10-CM INDEX TO DISEASES and INJURIES"
    assert [letter.title for letter in mini.letters] == ["A", "D", "P", "S"]


def test_nonessential_modifiers_are_split_and_lose_their_parentheses(mini: Index) -> None:
    abasia = mini.main_term("Abasia")
    assert abasia.title == "Abasia"
    assert abasia.nemod == ["-astasia", "hysterical"]
    assert abasia.codes == ["F44.4"]


def test_words_after_the_nemod_stay_in_the_title(fixtures: Path) -> None:
    eindex = parse_index(fixtures / "icd10cm" / "mini_eindex_2025.xml")
    term = eindex.main_terms[0]
    assert term.title == "Abandonment NEC"
    assert term.nemod == [
        "causing exposure to weather conditions",
        "with intent to injure or kill",
    ]


def test_nested_parentheses_stay_inside_one_modifier() -> None:
    assert split_nemod("(due to (chronic) cause) (acute)") == ["due to (chronic) cause", "acute"]


def test_manifestation_code_is_kept_apart_from_the_etiology_code(mini: Index) -> None:
    heart = mini.walk("Amyloidosis", "heart")
    assert heart.codes == ["E85.4"]
    assert heart.manif_codes == ["I43"]


def test_see_and_see_also_cross_references_are_kept(mini: Index) -> None:
    assert mini.main_term("Abdominalgia").see == "Pain, abdominal"
    assert mini.main_term("Abdomen, abdominal").see_also == "condition"


def test_seecat_subcat_and_warning_elements_are_kept(mini: Index) -> None:
    strangulation = mini.main_term("Strangulation")
    assert strangulation.title == "Strangulation NEC"
    assert strangulation.see_cat == "T71"
    struck = mini.main_term("Struck by lightning")
    assert (struck.see_subcat, struck.warning) == ("T75.0", "check the external cause")


def test_addenda_diff_keeps_new_text_and_drops_old(mini: Index) -> None:
    titles = [t.title for t in mini.main_term("Amyloidosis").subterms]
    assert "neuropathic hereditary NEC" in titles


def test_subterm_levels_follow_the_nesting(mini: Index) -> None:
    walk = mini.walk("Diabetes", "type 2", "with", "cataract")
    assert [t.level for t in walk.path] == [0, 1, 2, 3]


def test_external_cause_index_is_recognised_by_its_title(fixtures: Path) -> None:
    eindex = parse_index(fixtures / "icd10cm" / "mini_eindex_2025.xml")
    assert eindex.kind == "eindex"
    assert eindex.walk("Accident", "boat", "striking swimmer", "powered").codes == ["V94.11"]


def test_kind_is_detected_from_content_not_file_name(mini_files: list[Path]) -> None:
    assert [detect_kind(p) for p in mini_files] == ["index", "eindex", "drug", "neoplasm"]


def test_iter_terms_yields_every_term_with_its_title_path(mini: Index) -> None:
    paths = [titles for titles, _ in mini.iter_terms()]
    assert paths[0] == ("Abasia",)
    assert ("Diabetes, diabetic", "type 2", "with", "chronic kidney disease") in paths
    assert len(paths) == 20


# --------------------------------------------------------------------------- errors


def test_truncated_xml_names_the_file_and_line(fixtures: Path) -> None:
    path = fixtures / "icd10cm" / "truncated_index_2025.xml"
    with pytest.raises(SourceFileError) as caught:
        parse_index(path)
    assert caught.value.path == str(path)
    assert caught.value.line is not None and caught.value.line >= 40
    assert "truncated" in caught.value.problem


def test_malformed_xml_reports_the_line_of_the_fault(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text("<ICD10CM.index>\n<letter>\n<title>A</letter>\n</ICD10CM.index>\n")
    with pytest.raises(SourceFileError) as caught:
        parse_index(bad)
    assert caught.value.line == 3
    assert str(caught.value).startswith(f"{bad}:3:")


def test_wrong_root_element_is_refused_with_a_clear_message(fixtures: Path) -> None:
    with pytest.raises(SourceFileError, match=r"root element is <ICD10CM\.tabular>") as caught:
        parse_index(fixtures / "icd10cm" / "wrong_root.xml")
    assert caught.value.line == 2


def test_missing_file_is_a_source_file_error(tmp_path: Path) -> None:
    with pytest.raises(SourceFileError, match="file not found"):
        parse_index(tmp_path / "absent.xml")


def test_a_table_is_not_accepted_as_an_alphabetic_index(mini_files: list[Path]) -> None:
    with pytest.raises(SourceFileError, match="drug table"):
        parse_index(mini_files[2])


# --------------------------------------------------------------------------- lookups


def test_main_term_is_found_by_any_comma_variant_and_case(mini: Index) -> None:
    for name in ("abdomen", "ABDOMINAL", "Abdomen, abdominal"):
        assert mini.main_term(name).title == "Abdomen, abdominal"
    assert mini.main_term("diabetic").title == "Diabetes, diabetic"
    assert mini.main_term("no such thing") is None


def test_walk_reaches_the_most_specific_code(mini: Index) -> None:
    walk = mini.walk("Diabetes", "type 2", "with", "chronic kidney disease")
    assert walk.codes == ["E11.22"]
    assert walk.complete


def test_walk_looks_through_with_when_the_coder_omits_it(mini: Index) -> None:
    walk = mini.walk("diabetes", "type 2", "chronic kidney disease")
    assert [t.title for t in walk.path][-2:] == ["with", "chronic kidney disease"]
    assert walk.codes == ["E11.22"]


def test_nec_qualifier_does_not_have_to_be_typed(mini: Index) -> None:
    assert mini.walk("Diabetes", "type 2", "with", "arthropathy").codes == ["E11.618"]


def test_unmatched_word_is_reported_and_the_less_specific_code_kept(mini: Index) -> None:
    walk = mini.walk("Diabetes", "type 2", "with", "purple toes")
    assert walk.unmatched == ["purple toes"]
    assert walk.codes == ["E11.9"]
    assert not walk.complete


def test_see_reference_is_followed_to_its_code(mini: Index) -> None:
    walk = mini.walk("Abdominalgia")
    assert [t.title for t in walk.path] == ["Abdominalgia", "Pain", "abdominal"]
    assert walk.codes == ["R10.9"]


def test_see_reference_is_followed_before_the_next_subterm(mini: Index) -> None:
    assert mini.walk("Abdominalgia", "colic").codes == ["R10.83"]


def test_see_is_not_followed_when_asked_not_to(mini: Index) -> None:
    walk = mini.walk("Abdominalgia", follow_see=False)
    assert walk.codes == [] and walk.see == "Pain, abdominal"


def test_lookup_walks_an_entry_written_as_printed(mini: Index) -> None:
    assert mini.lookup("Diabetes, type 2, with, chronic kidney disease").codes == ["E11.22"]
    assert mini.lookup("Abdomen, abdominal, acute").codes == ["R10.0"]


def test_unknown_main_term_gives_an_empty_walk(mini: Index) -> None:
    walk = mini.walk("Zebra", "stripes")
    assert walk.path == [] and walk.unmatched == ["Zebra", "stripes"]


# --------------------------------------------------------------------------- the pack


def test_index_survives_a_round_trip_through_sqlite(mini: Index, tmp_path: Path) -> None:
    dest = tmp_path / "pack.sqlite"
    with pack_store.pack_writer(dest, {"component": "test"}) as conn:
        write_index(conn, mini)
    back = read_index(pack_store.open_pack(dest), "index")
    assert back == mini
    assert back.walk("Amyloidosis", "heart").manif_codes == ["I43"]


def test_pack_holds_every_file_given_with_fiscal_year_meta(mini_files: list[Path]) -> None:
    dest = build_index_pack(mini_files, 2025)
    assert dest == pack_store.pack_path("icd10cm-index", 2025)
    conn = pack_store.open_pack(dest)
    meta = pack_store.read_meta(conn)
    assert meta["component"] == "icd10cm-index"
    assert meta["kinds"] == "index,eindex,drug,neoplasm"
    assert (meta["effective_from"], meta["effective_to"]) == ("2024-10-01", "2025-09-30")
    assert "mini_drug_2025.xml" in meta["source"]
    assert read_index(conn, "eindex").kind == "eindex"


def test_pack_of_one_file_lacks_the_other_kinds(mini_files: list[Path]) -> None:
    conn = pack_store.open_pack(build_index_pack(mini_files[1:2], 2025))
    assert pack_store.read_meta(conn)["kinds"] == "eindex"
    with pytest.raises(PackNotFoundError, match="no index"):
        read_index(conn, "index")


def test_two_files_of_one_kind_are_refused(mini_files: list[Path]) -> None:
    with pytest.raises(SourceFileError, match="two index files"):
        build_index_pack([mini_files[0], mini_files[0]], 2025)


def test_file_of_another_fiscal_year_is_refused(mini_files: list[Path]) -> None:
    with pytest.raises(SourceFileError, match="FY2025, expected FY2026"):
        build_index_pack(mini_files[:1], 2026)
    assert not pack_store.pack_path("icd10cm-index", 2026).exists()


# --------------------------------------------------------------------------- official files


@pytest.fixture(scope="module")
def official(shared_data: Path) -> Index:
    return parse_index(shared_data / "icd10cm" / "icd10cm_index_2025.xml")


def test_official_index_has_thousands_of_main_terms(official: Index) -> None:
    # The shared copy holds 8 100 main terms and 72 924 subterms in 26 letters.
    assert official.version == "2025"
    assert len(official.letters) == 26
    assert len(official.main_terms) > 8000
    assert sum(1 for _ in official.iter_terms()) > 80000


def test_official_diabetes_type_2_with_ckd_walks_to_e11_22(official: Index) -> None:
    walk = official.lookup("Diabetes, type 2, with, chronic kidney disease")
    assert walk.codes == ["E11.22"] and walk.complete


def test_official_see_reference_leads_to_abdominal_pain(official: Index) -> None:
    assert official.walk("Abdominalgia").codes == ["R10.9"]


def test_official_external_cause_index(shared_data: Path) -> None:
    path = shared_data / "icd10cm" / "icd-10-cm-eindex-2025.xml"
    assert detect_kind(path) == "eindex"
    eindex = parse_index(path)
    assert len(eindex.main_terms) > 300
    assert eindex.walk("Accident", "boat", "striking swimmer", "powered").codes == ["V94.11"]
    assert eindex.main_term("Strangulation").see_cat == "T71"


def test_official_index_reloads_from_its_pack_unchanged(shared_data: Path, official: Index) -> None:
    """Parse, pack and read back give the same index (speed: benchmarks/bench_codesets.py)."""
    dest = build_index_pack([shared_data / "icd10cm" / "icd10cm_index_2025.xml"], 2025)
    conn = pack_store.open_pack(dest)
    back = read_index(conn, "index")
    assert back == official
