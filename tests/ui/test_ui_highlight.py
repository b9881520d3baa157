"""Cutting document text into evidence segments, report diffs, and the claim preview."""

from __future__ import annotations

from types import SimpleNamespace

from medcoder.server.ui._claim import claim_preview
from medcoder.server.ui._dashboard import bar_chart
from medcoder.server.ui._diff import diff_lines
from medcoder.server.ui._highlight import Segment, segments, spans_for


def test_overlapping_spans_become_one_segment_listing_both_codes():
    text = "Type 2 diabetes with CKD stage 3."
    out = segments(text, [(0, 15, 1), (7, 24, 2)])
    assert out == [
        Segment("Type 2 ", (1,)),
        Segment("diabetes", (1, 2)),
        Segment(" with CKD", (2,)),
        Segment(" stage 3.", ()),
    ]
    assert "".join(s.text for s in out) == text


def test_spans_outside_the_text_are_clipped_and_empty_ones_dropped():
    assert segments("abc", [(2, 99, 5), (7, 9, 6), (1, 1, 7)]) == [
        Segment("ab", ()),
        Segment("c", (5,)),
    ]
    assert segments("", [(0, 3, 1)]) == []


def test_only_this_documents_evidence_is_used():
    codes = [
        SimpleNamespace(
            id=4,
            evidence=[
                {"document": "doc1", "start": 0, "end": 3},
                {"document": "doc2", "start": 5, "end": 9},
                {"document": "doc1", "start": "x", "end": 3},  # malformed: ignored
            ],
        )
    ]
    assert spans_for(1, codes) == [(0, 3, 4)]


def test_report_diff_keeps_removed_and_added_lines_apart():
    # Stored bodies are stripped (no final newline): the diff must still split the lines.
    lines = diff_lines("Codes reviewed.", "Codes reviewed and finalized.")
    assert [(d.kind, d.text) for d in lines if d.kind != "hunk"] == [
        ("del", "Codes reviewed."),
        ("add", "Codes reviewed and finalized."),
    ]
    assert diff_lines("same\ntext", "same\ntext") == []


def test_claim_preview_keeps_final_codes_principal_first():
    def code(id_, code_, state, system="ICD-10-CM", principal=False):
        return SimpleNamespace(
            id=id_, code=code_, state=state, system=system, principal=principal, description=""
        )

    encounter = SimpleNamespace(
        id=9,
        status="finalized",
        setting="outpatient",
        service_date=None,
        suggestions=[
            code(1, "I10", "accepted"),
            code(2, "E11.22", "edited", principal=True),
            code(3, "J45.909", "rejected"),
            code(4, "Z79.4", "added"),
            code(5, "N18.9", "suggested"),
            code(6, "99213", "accepted", system="CPT"),
        ],
    )
    claim = claim_preview(encounter)
    assert [d["code"] for d in claim["diagnoses"]] == ["E11.22", "I10", "Z79.4"]
    assert claim["lines"] == [
        {
            "line": 1,
            "code": "99213",
            "system": "CPT",
            "description": "",
            "diagnosis_pointers": [1, 2, 3],
        }
    ]


def test_bar_lengths_are_proportional_to_the_largest_value():
    chart = bar_chart("t", [("a", 4), ("b", 2), ("c", 0)], "x")
    widths = [b.width for b in chart.bars]
    assert widths[0] == 2 * widths[1] and widths[2] == 0
    assert [b.y for b in chart.bars] == sorted(b.y for b in chart.bars)
    assert bar_chart("empty", [("a", 0)], "x").bars[0].width == 0
