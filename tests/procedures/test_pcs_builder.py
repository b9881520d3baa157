"""Axis-by-axis construction against the fixture tables: validity and missing-axis reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcoder.codesets.icd10pcs import parse_tables
from medcoder.procedures.pcs_builder import AxisContext, PcsBuilder

TABLES = Path(__file__).resolve().parents[1] / "fixtures" / "procedures" / "pcs_tables_2023.xml"


@pytest.fixture(scope="module")
def builder() -> PcsBuilder:
    return PcsBuilder(parse_tables(TABLES))


def test_every_built_code_is_valid_in_the_tables(builder: PcsBuilder) -> None:
    ctx = AxisContext(approach="Percutaneous Endoscopic")
    for start in ("0DTJ", "0FT4", "0DBJ", "0FC4"):
        (item,) = builder.build(start, ctx)
        assert item.complete and builder.tables.is_valid(item.code)


def test_b6_1a_no_device_when_none_documented(builder: PcsBuilder) -> None:
    (item,) = builder.build("0F94", AxisContext(approach="Percutaneous"))
    assert item.code == "0F943ZZ"
    assert "B6.1a" in item.guidelines


def test_b6_2_drainage_device_chosen_when_documented(builder: PcsBuilder) -> None:
    ctx = AxisContext(approach="Percutaneous", devices=("Drainage Device",))
    (item,) = builder.build("0F94", ctx)
    assert item.code == "0F9430Z"


def test_approach_not_allowed_by_table_stops_with_choices(builder: PcsBuilder) -> None:
    (item,) = builder.build("0DTJ", AxisContext(approach="Percutaneous"))  # 0DT has no 3
    assert item.code == "0DTJ" and item.missing == "Approach"
    assert item.choices == {"0": "Open", "4": "Percutaneous Endoscopic"}
    assert item.reported(4) == "0DTJ"


def test_invalid_index_prefix_cut_to_longest_valid(builder: PcsBuilder) -> None:
    (item,) = builder.build("0DTQ", AxisContext())
    assert item.code == "0DT" and item.missing == "Body Part"


def test_b4_3_bilateral_split_without_bilateral_value(builder: PcsBuilder) -> None:
    items = builder.build("08J", AxisContext(frozenset({"eye"}), side="bilateral"))
    assert sorted(i.code for i in items) == ["08J0XZZ", "08J1XZZ"]
