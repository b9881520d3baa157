"""Rule files: shipped rules load; malformed ones are refused naming the line and the field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from medcoder.cdi import default_rules, load_rule_file, load_rules
from medcoder.cdi.rules import RULES_DIR, YES_NO_REASONS, rule_schema
from medcoder.errors import SourceFileError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cdi"


def test_shipped_rules_load_with_versioned_unique_ids():
    rules = default_rules()
    ids = [r.id for r in rules]
    assert len(ids) == len(set(ids)) >= 11
    assert all(r.id.rsplit(".", 1)[1].startswith("v") for r in rules)
    assert len(list(RULES_DIR.glob("*.yaml"))) == len(rules)  # one file per opportunity


def test_shipped_yes_no_rules_are_only_for_the_allowed_reasons():
    for rule in default_rules():
        if rule.query.format == "yes_no":
            assert rule.query.reason in YES_NO_REASONS


def test_json_rule_file_loads_like_yaml():
    rule = load_rule_file(FIXTURES / "valid_rule.json")
    assert rule.id == "hypokalemia.v2"
    assert load_rule_file(FIXTURES / "valid_rule.yaml").criteria[0].any_of[0].min_count == 2


@pytest.mark.parametrize(
    ("name", "line", "field", "detail"),
    [
        ("bad_comparator.yaml", 11, "criteria[0].any_of[0].comparator", "'=<'"),
        ("missing_field.yaml", 15, "query.subject", "Field required"),
        ("wrong_type.yaml", 11, "criteria[0].any_of[0].min_count", "'two'"),
        ("unknown_analyte.yaml", 11, "criteria[0].any_of[0].analyte", "potasium"),
        ("yes_no_new_diagnosis.yaml", 15, "query", "yes_no is not allowed"),
        ("leading_question.yaml", 19, "query.question", "leading phrase"),
        ("bad_comparator.json", 7, "criteria[0].any_of[0].comparator", "'less'"),
    ],
)
def test_malformed_rule_file_is_refused_with_line_and_field(name, line, field, detail):
    path = FIXTURES / name
    with pytest.raises(SourceFileError) as caught:
        load_rule_file(path)
    error = caught.value
    assert error.path == str(path)
    assert error.line == line
    assert f"field {field}" in error.problem
    assert detail in error.problem


def test_leading_question_names_both_problems():
    with pytest.raises(SourceFileError) as caught:
        load_rule_file(FIXTURES / "leading_question.yaml")
    assert "'Please document'" in caught.value.problem
    assert "'CC'" in caught.value.problem


def test_yaml_syntax_error_reports_its_line():
    with pytest.raises(SourceFileError) as caught:
        load_rule_file(FIXTURES / "broken_yaml.yaml")
    assert caught.value.line is not None and caught.value.line >= 10
    assert "invalid YAML" in caught.value.problem


def test_rule_file_that_is_not_a_mapping_is_refused(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- id: x.v1\n")
    with pytest.raises(SourceFileError, match="one mapping"):
        load_rule_file(path)


def test_duplicate_rule_ids_are_refused(tmp_path):
    shutil.copy(FIXTURES / "valid_rule.yaml", tmp_path / "a.yaml")
    shutil.copy(FIXTURES / "valid_rule.yaml", tmp_path / "b.yaml")
    with pytest.raises(SourceFileError, match="duplicate rule id 'hypokalemia.v1'"):
        load_rules(tmp_path)


def test_a_cdi_team_rule_directory_loads_without_code(tmp_path):
    shutil.copy(FIXTURES / "valid_rule.yaml", tmp_path / "hypokalemia.yaml")
    shutil.copy(RULES_DIR / "hyponatremia.yaml", tmp_path / "hyponatremia.yaml")
    assert [r.id for r in load_rules(tmp_path)] == ["hypokalemia.v1", "hyponatremia.v2"]


def test_unreachable_min_met_is_refused(tmp_path):
    text = (
        (FIXTURES / "valid_rule.yaml")
        .read_text()
        .replace("  - label: low potassium\n", "  - label: low potassium\n    min_met: 2\n")
    )
    path = tmp_path / "rule.yaml"
    path.write_text(text)
    with pytest.raises(SourceFileError, match="min_met 2 can never be reached") as caught:
        load_rule_file(path)
    assert caught.value.line == 9


def test_threshold_unit_must_be_the_canonical_unit(tmp_path):
    text = (
        (FIXTURES / "valid_rule.yaml")
        .read_text()
        .replace("value: 3.5,", "value: 3.5, unit: mg/dL,")
    )
    path = tmp_path / "rule.yaml"
    path.write_text(text)
    with pytest.raises(SourceFileError, match="canonical unit 'mmol/L'"):
        load_rule_file(path)


def test_rule_schema_is_available_for_editors():
    schema = rule_schema()
    assert "criteria" in schema["properties"]
