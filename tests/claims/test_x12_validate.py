"""validate_x12 runs pyx12 and reports real errors (and nothing for a correct file)."""

from __future__ import annotations

import datetime as dt

import pytest
from test_x12_factory import synthetic_encounter

from medcoder.claims.x12_validate import X12Issue, validate_x12
from medcoder.claims.x12_writer import write_837i, write_837p

KW = {
    "sender_id": "SUBMITTER01",
    "receiver_id": "RECEIVER01",
    "control_number": 9,
    "created": dt.datetime(2025, 6, 1, 9, 5),
}


@pytest.fixture(scope="module")
def x12p() -> str:
    return write_837p(synthetic_encounter(2), **KW)


def _drop_segment(x12: str, prefix: str) -> str:
    segments = x12.split("~")
    index = next(i for i, s in enumerate(segments) if s.startswith(prefix))
    return "~".join(segments[:index] + segments[index + 1 :])


def test_generated_claim_has_no_issues(x12p: str) -> None:
    assert validate_x12(x12p) == []


def test_missing_billing_provider_nm1_is_reported(x12p: str) -> None:
    issues = validate_x12(_drop_segment(x12p, "NM1*85*"))
    assert issues
    assert any("2010AA" in i.message for i in issues)


def test_invalid_hi_qualifier_is_reported(x12p: str) -> None:
    issues = validate_x12(x12p.replace("HI*ABK:", "HI*ZZZ:"))
    assert any(i.segment == "HI" for i in issues)


def test_invalid_code_value_is_reported_on_its_element(x12p: str) -> None:
    corrupted = x12p.replace("*Y*A*Y*Y~", "*Y*Q*Y*Y~")  # CLM07 assignment code
    issues = validate_x12(corrupted)
    assert [(i.segment, i.element, i.value, i.code) for i in issues] == [("CLM", "CLM07", "Q", "7")]


def test_wrong_segment_count_is_reported(x12p: str) -> None:
    se = next(s for s in x12p.split("~") if s.startswith("SE*"))
    count = int(se.split("*")[1])
    issues = validate_x12(x12p.replace(se, se.replace(f"SE*{count}*", f"SE*{count + 1}*")))
    assert any("SE count" in i.message for i in issues)


def test_mismatched_control_number_is_reported(x12p: str) -> None:
    issues = validate_x12(x12p.replace("IEA*1*000000009", "IEA*1*000000010"))
    assert issues and all(isinstance(i, X12Issue) for i in issues)


def test_missing_required_837i_statement_dates_are_reported() -> None:
    x12 = write_837i(synthetic_encounter(1), **KW)
    issues = validate_x12(_drop_segment(x12, "DTP*434*"))
    assert any("Statement Dates" in i.message for i in issues), issues


def test_text_that_is_not_x12_is_reported() -> None:
    issues = validate_x12("hello, world")
    assert len(issues) == 1 and issues[0].code == "parse"


def test_unknown_implementation_guide_version_is_reported(x12p: str) -> None:
    issues = validate_x12(x12p.replace("005010X222A1", "005010X999"))
    assert issues and issues[0].code == "map"


def test_issue_str_names_segment_and_element() -> None:
    issue = X12Issue(
        level="element", code="7", message="bad", segment="SBR", element="SBR09", line=12
    )
    assert str(issue) == "SBR SBR09 (segment 12): [7] bad"
