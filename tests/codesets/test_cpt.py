"""CPT: the user's licensed file (synthetic descriptors only here) and built-in E/M numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcoder.codesets import pack_store
from medcoder.codesets.cpt import (
    EM_CODES,
    EM_OFFICE_ESTABLISHED,
    EM_OFFICE_NEW,
    build_cpt_pack,
    cpt_code_is_wellformed,
    parse_cpt,
    read_cpt,
)
from medcoder.errors import SourceFileError, UsageError


@pytest.fixture()
def cpt_dir(fixtures: Path) -> Path:
    return fixtures / "cpt"


def test_tsv_with_long_and_short_headers_is_read(cpt_dir: Path) -> None:
    codes = {c.code: c for c in parse_cpt(cpt_dir / "synthetic_cpt.tsv")}
    assert sorted(codes) == ["0001U", "99213", "99214"]
    assert codes["99214"].description.startswith("Synthetic descriptor for testing")
    assert codes["99214"].short_description == "Synthetic short 4"


def test_csv_with_cpt_code_and_description_headers_is_read(cpt_dir: Path) -> None:
    codes = {c.code: c for c in parse_cpt(cpt_dir / "synthetic_cpt.csv")}
    assert sorted(codes) == ["0042T", "1234F", "99202"]
    assert codes["99202"].description == "Synthetic descriptor for testing, new patient"


def test_headerless_two_column_file_is_read(cpt_dir: Path) -> None:
    codes = {c.code: c for c in parse_cpt(cpt_dir / "synthetic_headerless.csv")}
    assert codes["99281"].description == "Synthetic descriptor for testing, emergency visit"
    assert "99417" in codes


def test_unknown_header_names_file_line_and_expected_columns(tmp_path: Path) -> None:
    bad = tmp_path / "export.csv"
    bad.write_text("\n\nid,text\n1,Synthetic descriptor for testing\n")
    with pytest.raises(SourceFileError, match="expected a header with a code column") as err:
        parse_cpt(bad)
    assert (err.value.path, err.value.line) == (str(bad), 3)


def test_malformed_code_row_reports_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "cpt.tsv"
    bad.write_text("code\tdescription\n99213\tSynthetic descriptor for testing\n9921\tSynthetic\n")
    with pytest.raises(SourceFileError, match="malformed CPT code '9921'") as err:
        parse_cpt(bad)
    assert err.value.line == 3


def test_row_missing_its_descriptor_reports_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "cpt.tsv"
    bad.write_text("code\tdescription\n99213\tSynthetic descriptor for testing\n99214\n")
    with pytest.raises(SourceFileError, match="row has 1 column") as err:
        parse_cpt(bad)
    assert err.value.line == 3


def test_duplicate_code_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "cpt.csv"
    bad.write_text("99213,Synthetic descriptor for testing\n99213,Synthetic again\n")
    with pytest.raises(SourceFileError, match="first on line 1") as err:
        parse_cpt(bad)
    assert err.value.line == 2


def test_empty_and_undelimited_files_are_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(SourceFileError, match="empty file"):
        parse_cpt(empty)
    plain = tmp_path / "plain.txt"
    plain.write_text("just some words\n")
    with pytest.raises(SourceFileError, match="no tab, comma or"):
        parse_cpt(plain)
    with pytest.raises(SourceFileError, match="cannot read"):
        parse_cpt(tmp_path / "missing.csv")


def test_pack_is_written_for_the_cpt_year(cpt_dir: Path) -> None:
    dest = build_cpt_pack(cpt_dir / "synthetic_cpt.tsv", "2026")
    assert dest == pack_store.pack_path("cpt", "2026")
    conn = pack_store.open_pack(dest)
    meta = pack_store.read_meta(conn)
    assert (meta["component"], meta["effective_from"], meta["effective_to"]) == (
        "cpt",
        "2026-01-01",
        "2026-12-31",
    )
    assert read_cpt(conn)["99213"].short_description == "Synthetic short 3"
    with pytest.raises(UsageError):
        build_cpt_pack(cpt_dir / "synthetic_cpt.tsv", "latest")


def test_wellformed_cpt_codes_are_five_characters() -> None:
    for code in ("99213", "0001U", "1234F", "0042T", " 99213 "):
        assert cpt_code_is_wellformed(code)
    for code in ("9921", "J1885", "99213A", "0001X", ""):
        assert not cpt_code_is_wellformed(code)


def test_em_code_numbers_need_no_file() -> None:
    assert EM_OFFICE_NEW == ("99202", "99203", "99204", "99205")
    assert EM_OFFICE_ESTABLISHED[0] == "99211" and "99285" in EM_CODES and "99417" in EM_CODES
    assert len(EM_CODES) == 15
    assert all(cpt_code_is_wellformed(code) for code in EM_CODES)
