"""End to end: synthetic vignettes (written from the AMA MDM table) -> extract -> level."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medcoder.documents.model import Document
from medcoder.documents.sections import segment
from medcoder.services.em_extract import level_note

VIGNETTES = json.loads(
    (Path(__file__).resolve().parents[1] / "fixtures" / "em" / "vignettes.json").read_text()
)["vignettes"]


def test_vignette_table_covers_every_setting_and_code_family():
    assert len(VIGNETTES) >= 30
    codes = {v["expect"]["code"] for v in VIGNETTES}
    assert {"99202", "99205", "99212", "99215", "99282", "99285"} <= codes
    assert {v["setting"] for v in VIGNETTES} >= {"office-new", "office-established", "emergency"}


@pytest.mark.parametrize("vignette", VIGNETTES, ids=[v["id"] for v in VIGNETTES])
def test_vignette_levels_as_expected(vignette):
    document = segment(Document(id=vignette["id"], text="\n".join(vignette["lines"]) + "\n"))
    result = level_note(document, vignette["setting"], payer=vignette.get("payer", "commercial"))
    expect = vignette["expect"]
    assert (result.code, result.path) == (expect["code"], expect["path"]), result.explanation
    for element in ("problems", "data", "risk"):
        assert result.grid[element]["level"] == expect[element], (element, result.grid)
    prolonged = [result.prolonged_code, result.prolonged_units] if result.prolonged_code else None
    assert prolonged == expect.get("prolonged")
    assert bool(result.needs_review) == expect.get("review", False), result.needs_review
