"""Codes against the encounter's own note: an unspecified side where the note names it
(I.B.13) is caught before the payer denies it."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcoder.documents.model import Document
from medcoder.edits import Scrubber

NOTE = """CHIEF COMPLAINT

Knee pain.

ASSESSMENT AND PLAN

1. Osteoarthritis, right knee. Continue meloxicam 15 mg daily; home exercises.
"""


@pytest.fixture(autouse=True)
def _packs(built_packs: Path) -> None:
    """The built-in tabular and the synthetic index."""


def _report(make, codes: list[str], documents=()):  # noqa: ANN001, ANN202
    encounter = make(diagnoses=[{"code": c} for c in codes])
    return Scrubber(imported=False).scrub(encounter, documents=list(documents))


def test_unspecified_side_is_flagged_when_the_note_documents_the_side_I_B_13(make) -> None:  # noqa: ANN001
    report = _report(make, ["M17.9"], [Document(id="visit", text=NOTE)])
    found = [f for f in report.findings if f.rule_id == "DX-LAT-001"]
    assert len(found) == 1
    assert "right" in found[0].reason and "M17.11" in found[0].fix


def test_the_sided_code_passes(make) -> None:  # noqa: ANN001
    report = _report(make, ["M17.11"], [Document(id="visit", text=NOTE)])
    assert not [f for f in report.findings if f.rule_id == "DX-LAT-001"]


def test_without_the_documents_the_rule_says_it_did_not_run(make) -> None:  # noqa: ANN001
    report = _report(make, ["M17.9"])
    assert "DX-LAT-001" in report.rules_skipped
    assert "documents" in report.rules_skipped["DX-LAT-001"]
