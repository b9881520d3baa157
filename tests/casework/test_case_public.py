"""The public cases (facts restated from published opinions) analyse without error and every
synopsis sentence quotes the record it cites. Their accuracy is measured, not asserted, by
benchmarks/bench_case_accuracy.py against expectations written before the analysis ran."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medcoder.casework.analyze import analyze_case
from medcoder.casework.case import load_case

PUBLIC = Path(__file__).resolve().parents[1] / "fixtures" / "casework" / "public"
NAMES = sorted(json.loads((PUBLIC / "expected.json").read_text()))


@pytest.mark.parametrize("name", NAMES)
def test_every_synopsis_sentence_of_a_public_case_cites_the_record(name) -> None:
    case = load_case([PUBLIC / name])
    report = analyze_case(case, code=False)
    assert report.statements()
    for statement in report.statements():
        assert statement.citations
        for cite in statement.citations:
            assert case.document(cite.document).text[cite.start : cite.end] == cite.quote
    assert report.chronology.procedural, "each opinion states its procedural history"
