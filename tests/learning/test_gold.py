"""Gold files: each code's system is recognised from the code, and from how the files write codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcoder.errors import SourceFileError
from medcoder.learning.gold import read_gold_files


@pytest.fixture(autouse=True)
def _packs(built_packs: Path) -> None:
    """The built-in ICD-10-CM pack decides shapes both systems could have."""


def _file(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_undotted_code_beside_dotted_diagnoses_is_a_procedure(tmp_path: Path) -> None:
    """B02.0 is zoster encephalitis; B020 in the procedure file is PCS imaging (CT of the
    head): a file set that dots its diagnosis codes writes procedures without dots."""
    d = _file(tmp_path / "d.tsv", ["doc1\tb02.0", "doc1\tr52", "doc2\ti10"])
    p = _file(tmp_path / "p.tsv", ["doc1\tb020", "doc2\t0dtj4zz"])
    gold = read_gold_files([d, p])
    assert gold["ICD-10-CM"] == {"doc1": {"b020", "r52"}, "doc2": {"i10"}}
    assert gold["ICD-10-PCS"] == {"doc1": {"b020"}, "doc2": {"0dtj4zz"}}


def test_undotted_files_leave_ambiguous_codes_to_the_code_sets(tmp_path: Path) -> None:
    d = _file(tmp_path / "d.tsv", ["doc1\tB020", "doc1\tE1122"])
    assert read_gold_files([d])["ICD-10-CM"] == {"doc1": {"b020", "e1122"}}


def test_unrecognisable_code_names_file_and_line(tmp_path: Path) -> None:
    d = _file(tmp_path / "d.tsv", ["doc1\tI10", "doc1\t???"])
    with pytest.raises(SourceFileError, match="not a recognisable code"):
        read_gold_files([d])
