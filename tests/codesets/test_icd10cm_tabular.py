"""ICD-10-CM tabular parsing, the compiled pack and validation (guidelines I.A, I.B)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from medcoder.codesets import pack_store
from medcoder.codesets.icd10cm_pack import ICD10CMPack, build_tabular_pack
from medcoder.codesets.icd10cm_tabular import key_in_range, note_references, parse_tabular
from medcoder.codesets.validation import Status, validate_icd10cm
from medcoder.errors import SourceFileError


@pytest.fixture()
def mini(fixtures: Path) -> ICD10CMPack:
    tabular = parse_tabular(fixtures / "icd10cm_tabular" / "mini_tabular_2026.xml")
    return ICD10CMPack(build_tabular_pack(tabular))


def test_leaf_code_is_billable(mini: ICD10CMPack) -> None:
    assert validate_icd10cm("E11.22", mini).status is Status.BILLABLE


def test_lowercase_dotless_and_spaced_codes_are_normalised(mini: ICD10CMPack) -> None:
    for typed in ("e1122", " E11.22 ", "e11.22"):
        result = validate_icd10cm(typed, mini)
        assert result.valid and result.code == "E11.22"


def test_header_code_is_not_billable_and_lists_children_I_B_1(mini: ICD10CMPack) -> None:
    result = validate_icd10cm("E11.2", mini)
    assert result.status is Status.HEADER
    assert result.suggestions == ("E11.21", "E11.22")


def test_seventh_character_required_I_A_5(mini: ICD10CMPack) -> None:
    result = validate_icd10cm("S72.001", mini)
    assert result.status is Status.MISSING_7TH
    assert "S72.001A" in result.suggestions


def test_placeholder_x_pads_short_codes_I_B_1_b(mini: ICD10CMPack) -> None:
    assert validate_icd10cm("S00.00XA", mini).valid
    missing = validate_icd10cm("S00.00A", mini)
    assert missing.status is Status.MISSING_PLACEHOLDER
    assert missing.suggestions == ("S00.00XA",)


def test_undefined_seventh_character_is_refused(mini: ICD10CMPack) -> None:
    assert validate_icd10cm("S72.001Z", mini).status is Status.INVALID_7TH


def test_codes_of_other_systems_are_named(mini: ICD10CMPack) -> None:
    assert validate_icd10cm("99214", mini).status is Status.WRONG_SYSTEM
    assert validate_icd10cm("0DTJ4ZZ", mini).status is Status.WRONG_SYSTEM


def test_malformed_code_names_the_bad_character(mini: ICD10CMPack) -> None:
    result = validate_icd10cm("E11.2@", mini)
    assert result.status is Status.MALFORMED and "@" in result.reason


def test_unknown_code_points_to_nearest_existing_code(mini: ICD10CMPack) -> None:
    result = validate_icd10cm("E11.99", mini)
    assert result.status is Status.UNKNOWN and result.suggestions == ("E11.9",)


def test_deleted_code_is_told_apart_from_unknown(fixtures: Path, tmp_path: Path) -> None:
    text = (fixtures / "icd10cm_tabular" / "mini_tabular_2026.xml").read_text()
    old = tmp_path / "old.xml"
    old.write_text(
        text.replace("<version>2026</version>", "<version>2025</version>").replace(
            "<diag><name>E11.9</name>",
            "<diag><name>E11.8</name><desc>Old code</desc></diag><diag><name>E11.9</name>",
        )
    )
    new = ICD10CMPack(
        build_tabular_pack(parse_tabular(fixtures / "icd10cm_tabular" / "mini_tabular_2026.xml"))
    )
    previous = ICD10CMPack(build_tabular_pack(parse_tabular(old)))
    assert validate_icd10cm("E11.8", new, others=[previous]).status is Status.DELETED


def test_notes_are_inherited_from_the_category_I_A_12(mini: ICD10CMPack) -> None:
    kinds = {(n.kind, n.from_code) for n in mini.notes("E11.22")}
    assert ("useAdditionalCode", "E11.22") in kinds
    assert ("excludes1", "E11") in kinds


def test_excludes1_pair_is_found_both_ways_I_A_12_a(mini: ICD10CMPack) -> None:
    assert mini.excludes1_conflict("E11.22", "E10.22") is not None
    assert mini.excludes1_conflict("E10.22", "E11.9") is not None
    assert mini.excludes1_conflict("E11.22", "S72.001A") is None


def test_note_references_read_ranges_and_dashes() -> None:
    assert note_references("stage (N18.1-N18.6)") == [("N181", "N186")]
    assert note_references("type 1 (E10.-)") == [("E10", "E10")]
    assert key_in_range("N184", "N181", "N186")
    assert not key_in_range("N189", "N181", "N186")


def test_ancestors_and_children(mini: ICD10CMPack) -> None:
    assert mini.ancestors("E11.22")[:2] == ["E112", "E11"]
    assert mini.children("E11") == ["E112", "E119"]


def test_truncated_xml_names_file_and_line(fixtures: Path, tmp_path: Path) -> None:
    text = (fixtures / "icd10cm_tabular" / "mini_tabular_2026.xml").read_text()
    bad = tmp_path / "truncated.xml"
    bad.write_text(text[: len(text) // 2])
    with pytest.raises(SourceFileError) as info:
        parse_tabular(bad)
    assert info.value.line is not None and "truncated.xml" in str(info.value)


def test_foreign_xml_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "other.xml"
    bad.write_text("<ICD10PCS.tabular><version>2023</version></ICD10PCS.tabular>")
    with pytest.raises(SourceFileError, match="ICD10CM.tabular"):
        parse_tabular(bad)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SourceFileError, match="not found"):
        parse_tabular(tmp_path / "nope.xml")


def test_failed_build_leaves_no_half_written_pack(fixtures: Path) -> None:
    tabular = parse_tabular(fixtures / "icd10cm_tabular" / "mini_tabular_2026.xml")
    tabular.nodes.append(tabular.nodes[-1])  # duplicate key: the insert fails mid-build
    with pytest.raises(sqlite3.IntegrityError):
        build_tabular_pack(tabular)
    assert not list(pack_store.packs_dir().glob("*"))


def test_builtin_pack_knows_fy2026(built_packs: Path) -> None:
    from medcoder.codesets import registry

    pack = registry.icd10cm()
    assert pack.version == 2026
    assert pack.is_billable("E11.22") and not pack.is_billable("E11.2")
    assert sum(1 for _ in pack.billable_keys()) > 70000
