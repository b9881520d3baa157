"""Policy files: validation with line and field, payer rules (POL-*), overrides, disabling."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import medcoder.edits
from medcoder.edits import check_policy_file, load_policy, parse_policy, scrub
from medcoder.edits.context import ScrubContext
from medcoder.edits.findings import Severity
from medcoder.edits.policy import code_matches
from medcoder.errors import SourceFileError

TODAY = dt.date(2026, 3, 1)
EXAMPLE = Path(medcoder.edits.__file__).parent / "example_policy.yaml"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    return path


HEAD = "version: 1\nname: T\nrevision: r1\n"


def test_shipped_policies_are_valid(edits_dir: Path) -> None:
    assert check_policy_file(EXAMPLE) == []
    assert check_policy_file(edits_dir / "policy_example.yaml") == []
    policy = load_policy(edits_dir / "policy_example.yaml")
    assert policy.revision == "2026-02-01" and policy.house.block_at is Severity.REJECT


def test_unknown_field_is_refused_with_line_and_field(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + "house:\n  block_at: deny\n  disabel: [DX-DUP-001]\n")
    with pytest.raises(SourceFileError) as err:
        load_policy(path)
    assert err.value.line == 6 and "house.disabel" in err.value.problem


def test_bad_severity_and_bad_payer_rule_are_located(tmp_path: Path) -> None:
    text = HEAD + (
        "house:\n  severity:\n    DX-DUP-001: fatal\n"
        "payers:\n  - name: X\n    payer_ids: [X]\n    rules:\n"
        "      - id: POL-X\n        kind: abn_requires_modifier\n        modifier: GAA\n"
    )
    problems = check_policy_file(_write(tmp_path, text))
    assert len(problems) == 2
    assert ":6: house.severity.DX-DUP-001:" in problems[0]
    assert ":13: payers[0].rules[0].modifier:" in problems[1]


def test_unknown_rule_id_and_missing_payer_match_are_refused(tmp_path: Path) -> None:
    text = HEAD + "house:\n  disable: [DX-DUPE-001]\npayers:\n  - name: Y\n    rules: []\n"
    problems = check_policy_file(_write(tmp_path, text))
    assert any("payers[0]: Value error, give payer_ids" in p for p in problems)
    good = HEAD + "house:\n  disable: [DX-DUPE-001]\n"
    problems = check_policy_file(_write(tmp_path, good))
    assert problems == [
        f"{tmp_path / 'policy.yaml'}:5: house.disable[0]: unknown rule id DX-DUPE-001"
    ]


def test_invalid_yaml_duplicate_keys_and_wrong_version_are_refused(tmp_path: Path) -> None:
    broken = check_policy_file(_write(tmp_path, HEAD + "house:\n\tblock_at: deny\n"))[0]
    assert ":5: not valid YAML" in broken
    dupes = check_policy_file(_write(tmp_path, HEAD + "name: again\n"))
    assert dupes and "duplicate key" in dupes[0] and ":4:" in dupes[0]
    with pytest.raises(SourceFileError, match="version"):
        parse_policy("version: 2\nname: T\nrevision: r\n")
    with pytest.raises(SourceFileError, match="top level"):
        parse_policy("- a\n- b\n")
    assert "cannot read" in check_policy_file(tmp_path / "missing.yaml")[0]


def test_procedure_patterns_match_codes_ranges_and_prefixes() -> None:
    assert code_matches("97110", ["97110-97546"]) and code_matches("72148", ["7*"])
    assert not code_matches("97110", ["97112"]) and code_matches("anything", [])


def _abn_policy() -> str:
    return HEAD + (
        "payers:\n  - name: Payer X\n    payer_ids: [PAYX]\n    rules:\n"
        "      - id: POL-X-ABN\n        kind: abn_requires_modifier\n        modifier: GA\n"
    )


def test_payer_x_requires_ga_when_an_abn_is_on_file(make) -> None:
    policy = parse_policy(_abn_policy())
    enc = make(payer={"id": "PAYX"}, abn_on_file=True)
    found = policy.resolve(enc).rules[0](enc, ScrubContext(on=dt.date(2026, 1, 15), today=TODAY))
    assert found and found[0].rule_id == "POL-X-ABN" and found[0].lines == (1,)
    assert found[0].severity is Severity.DENY


def test_ga_present_or_other_payer_passes_the_abn_rule(make) -> None:
    policy = parse_policy(_abn_policy())
    ctx = ScrubContext(on=dt.date(2026, 1, 15), today=TODAY)
    lines = [{"code": "80053", "charge": "1", "dx_pointers": [1], "modifiers": ["GA"]}]
    with_ga = make(payer={"id": "PAYX"}, abn_on_file=True, lines=lines)
    assert policy.resolve(with_ga).rules[0](with_ga, ctx) == []
    assert policy.resolve(make(abn_on_file=True)).rules == []


def test_payer_y_refuses_unspecified_dx_for_procedure(
    built_packs: Path, make, edits_dir: Path
) -> None:
    lines = [{"code": "97110", "charge": "1", "dx_pointers": [1]}]
    enc = make(payer={"id": "PAYY"}, diagnoses=[{"code": "M54.50"}], lines=lines)
    report = scrub(enc, policy=edits_dir / "policy_example.yaml", today=TODAY)
    ours = [f for f in report.findings if f.rule_id == "POL-Y-UNSPEC"]
    assert ours and ours[0].codes == ("97110", "M54.50")
    specific = make(payer={"id": "PAYY"}, diagnoses=[{"code": "M54.51"}], lines=lines)
    report = scrub(specific, policy=edits_dir / "policy_example.yaml", today=TODAY)
    assert not [f for f in report.findings if f.rule_id == "POL-Y-UNSPEC"]


def test_prior_auth_rule_flags_lines_without_an_authorization(make) -> None:
    policy = parse_policy(
        HEAD + "payers:\n  - name: Z\n    filing_indicators: [CI]\n    rules:\n"
        "      - id: POL-Z-AUTH\n        kind: prior_auth_required\n        procedures: ['7*']\n"
    )
    ctx = ScrubContext(on=dt.date(2026, 1, 15), today=TODAY)
    lines = [{"code": "72148", "charge": "1", "dx_pointers": [1]}]
    enc = make(lines=lines)
    assert policy.resolve(enc).rules[0](enc, ctx)[0].rule_id == "POL-Z-AUTH"
    authorised = make(lines=lines, prior_authorization="AUTH-1")
    assert policy.resolve(authorised).rules[0](authorised, ctx) == []


def test_severity_override_makes_duplicate_a_blocking_reject(
    built_packs: Path, make, edits_dir: Path
) -> None:
    enc = make(diagnoses=[{"code": "I10"}, {"code": "I10"}])
    plain = scrub(enc, today=TODAY)
    assert plain.ready_to_submit and plain.findings[0].severity is Severity.WARN
    strict = scrub(enc, policy=edits_dir / "policy_example.yaml", today=TODAY)
    assert not strict.ready_to_submit and strict.findings[0].severity is Severity.REJECT
    assert strict.policy == "Test clinic (revision 2026-02-01)"


def test_sex_edits_disabled_for_a_payer_are_skipped_with_the_reason(
    built_packs: Path, make, edits_dir: Path
) -> None:
    enc = make(  # before 2024-10-01: the MCE still had its sex-conflict edits
        payer={"id": "PAYY"},
        patient={"sex": "M"},
        diagnoses=[{"code": "Z3A.30"}],
        service_date="2024-06-03",
    )
    report = scrub(enc, policy=edits_dir / "policy_example.yaml", today=TODAY)
    assert "MCE-SEX-001" not in {f.rule_id for f in report.findings}
    assert report.rules_skipped["MCE-SEX-001"] == "disabled by payer policy Payer Y"
    assert "MCE-SEX-001" in {f.rule_id for f in scrub(enc, today=TODAY).findings}


def test_block_at_deny_holds_claims_with_a_deny_finding(built_packs: Path, make) -> None:
    enc = make(
        lines=[
            {"code": "99213", "charge": "1", "dx_pointers": [1]},
            {"code": "11042", "charge": "1", "dx_pointers": [1]},
        ]
    )
    assert scrub(enc, today=TODAY).ready_to_submit
    policy = parse_policy(HEAD + "house:\n  block_at: deny\n")
    report = scrub(enc, policy=policy, today=TODAY)
    assert not report.ready_to_submit and report.blocking[0].rule_id == "LINE-EM25-001"
