"""835 remittance parsing, denial linking and the CLI summary, on synthetic ERA files.

The fixtures in tests/fixtures/remit follow 005010X221A1 and pass pyx12's 835 map.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from medcoder.claims.model import ClaimEncounter
from medcoder.claims.remit import (
    CARC_RULE_FAMILIES,
    link_denials,
    parse_835,
    read_835,
    summarize_remit,
)
from medcoder.edits.findings import Finding, Severity
from medcoder.errors import SourceFileError

REMIT = Path(__file__).resolve().parents[1] / "fixtures" / "remit"
MIXED = REMIT / "era_mixed.835"


@pytest.fixture(scope="module")
def remit():
    (r,) = read_835(MIXED)
    return r


@pytest.fixture(scope="module")
def office_visit(fixtures: Path) -> ClaimEncounter:
    return ClaimEncounter.model_validate_json(
        (fixtures / "claims" / "outpatient_office_visit.json").read_text()
    )


def test_header_payment_trace_and_parties(remit) -> None:
    assert remit.total_payment == Decimal("102.5") and remit.payment_method == "ACH"
    assert remit.payment_date.isoformat() == "2025-12-31"
    assert (remit.trace_number, remit.trace_originator) == ("EFT0000123", "1512345678")
    assert remit.payer.name == "SYNTHETIC HEALTH PLAN" and remit.payer.refs == {"2U": "SYNPAYER"}
    assert (remit.payee.id_qualifier, remit.payee.id) == ("XX", "1234567893")
    assert remit.production_date.isoformat() == "2025-12-30"


def test_claim_payment_fields(remit) -> None:
    c = remit.claims[0]
    assert (c.claim_id, c.status, c.status_text) == ("SYN-OP-0001", "1", "processed as primary")
    assert (c.charge, c.paid, c.patient_responsibility) == (
        Decimal("205.5"),
        Decimal("100"),
        Decimal("25"),
    )
    assert c.payer_claim_control == "PCN0000000001" and c.filing_indicator == "12"
    assert c.dates["050"].isoformat() == "2025-12-15"
    assert [p.entity for p in c.parties] == ["QC", "82"]


def test_service_lines_with_adjustments_rarcs_and_dates(remit) -> None:
    visit, a1c, inj = remit.claims[0].lines
    assert (visit.code, visit.modifiers, visit.paid, visit.allowed) == (
        "99214",
        ["25"],
        Decimal("100"),
        Decimal("125"),
    )
    assert [(a.label, a.amount) for a in visit.adjustments] == [
        ("CO-45", Decimal("40")),
        ("PR-2", Decimal("25")),
    ]
    assert visit.dates["472"].isoformat() == "2025-02-11" and visit.control_number == "1"
    assert a1c.rarcs == ["M80"] and a1c.adjustments[0].label == "CO-97"
    assert inj.original_code == "J3301" and inj.adjustments[0].quantity == Decimal("4")


def test_claim_level_cas_and_moa_remarks(remit) -> None:
    lab, old = remit.claims[1], remit.claims[3]
    assert lab.denied and lab.rarcs == ["MA130"]
    assert [a.label for a in old.adjustments] == ["CO-29"]
    assert old.dates["232"].isoformat() == "2024-01-05"


def test_provider_level_adjustment_and_balanced_file(remit) -> None:
    (plb,) = remit.provider_adjustments
    assert (plb.provider_id, plb.reason, plb.reference, plb.amount) == (
        "1234567893",
        "L6",
        "INT0001",
        Decimal("-2.5"),
    )
    assert remit.warnings == []


def test_unbalanced_claim_is_a_warning_not_an_error() -> None:
    text = MIXED.read_text().replace("CAS*PR*2*25", "CAS*PR*2*20")
    (r,) = parse_835(text)
    assert any("SYN-OP-0001" in w for w in r.warnings)


def test_single_line_file_without_newlines_parses() -> None:
    (r,) = read_835(REMIT / "era_single_line.835")
    assert r.control_number == "0042" and len(r.claims) == 1


def test_bytes_with_byte_order_mark_parse() -> None:
    (r,) = parse_835(b"\xef\xbb\xbf" + MIXED.read_bytes())
    assert len(r.claims) == 4


# ------------------------------------------------------------------ malformed files


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("ISA*", "ISX*", 1), r"segment 1: .*missing ISA"),
        (lambda t: t[:80], r"segment 1 \(ISA\): truncated"),
        (lambda t: t.replace("*", "|", 3), r"segment 1 \(ISA\)"),
        (lambda t: t.replace("~", ":"), r"segment 1 \(ISA\): bad delimiters"),
        (lambda t: t.replace("ST*835*", "ST*837*"), r"segment 3 \(ST\): .*not an 835"),
        (lambda t: _swap(t, "BPR*", "TRN*"), r"segment 4 \(TRN\)|segment 5 \(BPR\)"),
        (lambda t: _move_before(t, "N1*PE*", "N1*PR*"), r"\(N1\): payee N1\*PE before payer"),
        (lambda t: t.replace("SE*", "XX*"), r"not closed by SE"),
        (lambda t: t.replace("SE*57*", "SE*55*"), r"segment 59 \(SE\): SE01 says 55 segments"),
        (lambda t: t.split("GE*")[0], r"no IEA segment"),
        (lambda t: t.replace("CLP*SYN-OP-0001*1*205.5", "CLP*SYN-OP-0001*1*2O5.5"), r"\(CLP\)"),
        (lambda t: t.replace("CAS*CO*45*40", "CAS*XY*45*40"), r"\(CAS\): CAS01 'XY'"),
        (lambda t: t.replace("DTM*472*20250211", "DTM*472*2025-02-11", 1), r"\(DTM\)"),
    ],
)
def test_malformed_835_names_the_segment(edit, message: str) -> None:
    with pytest.raises(SourceFileError, match=message):
        parse_835(edit(MIXED.read_text()), source="bad.835")


def test_cas_before_any_claim_names_its_position() -> None:
    text = MIXED.read_text().replace("LX*1~", "LX*1~\nCAS*CO*45*1~")
    with pytest.raises(SourceFileError) as err:
        parse_835(text, source="bad.835")
    assert err.value.path == "bad.835"
    assert "segment 17 (CAS): CAS outside a claim" in str(err.value)


def test_unreadable_file_is_a_source_file_error(tmp_path: Path) -> None:
    with pytest.raises(SourceFileError, match="cannot read"):
        read_835(tmp_path / "missing.835")


def _swap(text: str, a: str, b: str) -> str:
    segs = text.split("~\n")
    i = next(n for n, s in enumerate(segs) if s.startswith(a))
    j = next(n for n, s in enumerate(segs) if s.startswith(b))
    segs[i], segs[j] = segs[j], segs[i]
    return "~\n".join(segs)


def _move_before(text: str, moved: str, anchor: str) -> str:
    segs = text.split("~\n")
    seg = segs.pop(next(n for n, s in enumerate(segs) if s.startswith(moved)))
    segs.insert(next(n for n, s in enumerate(segs) if s.startswith(anchor)), seg)
    return "~\n".join(segs)


# ------------------------------------------------------------------ denial linking


def test_denials_link_to_submitted_lines_and_rule_families(remit, office_visit) -> None:
    links = link_denials(remit, [office_visit])
    mine = [link for link in links if link.claim_id == "SYN-OP-0001"]
    # CO-45 and PR-2 are payment arithmetic, not denials.
    assert [(d.group, d.carc, d.line, d.code) for d in mine] == [
        ("CO", "97", 2, "83036"),
        ("CO", "151", 3, "J3301"),
    ]
    assert mine[0].family.name == "ncci-ptp" and mine[1].family.name == "mue-frequency"
    assert mine[0].rarcs == ["M80"] and all(d.matched_claim for d in mine)
    assert mine[0].caught is None  # no findings given


def test_denials_of_unknown_claims_are_kept_and_marked(remit) -> None:
    links = link_denials(remit, [])
    by_carc = {d.carc: d for d in links}
    assert set(by_carc) == {"97", "151", "16", "50", "29"}
    assert by_carc["16"].family.name == "required-fields" and by_carc["16"].rarcs == [
        "MA120",
        "MA130",
    ]
    assert by_carc["50"].family.name == "medical-necessity-abn"
    assert by_carc["29"].line is None and by_carc["29"].family.name == "timely-filing"
    assert not any(d.matched_claim for d in links)


def test_a_finding_of_the_family_on_the_same_line_means_caught(remit, office_visit) -> None:
    ptp = Finding("NCCI-PTP-002", Severity.DENY, "bundled", "add 59", ("83036",), (2,), "CO-97")
    other_line = Finding("MUE-001", Severity.DENY, "units", "split", ("J3301",), (1,), "CO-151")
    links = link_denials(remit, [office_visit], {"SYN-OP-0001": [ptp, other_line]})
    mine = {d.carc: d for d in links if d.claim_id == "SYN-OP-0001"}
    assert (mine["97"].caught, mine["97"].findings) == (True, ["NCCI-PTP-002"])
    assert mine["151"].caught is False  # the MUE finding was about another line: a rule gap
    assert all(d.caught is False for d in links if d.claim_id != "SYN-OP-0001")


def test_payer_policy_finding_matches_by_carc() -> None:
    (r,) = read_835(MIXED)
    policy = Finding("ACME-LCD-VITD", Severity.DENY, "not covered", "ABN", carc="CO-50")
    links = link_denials(r, [], {"SYN-LAB-0003": [policy]})
    assert [d.findings for d in links if d.carc == "50"] == [["ACME-LCD-VITD"]]


@pytest.mark.parametrize(
    ("carc", "family"),
    [
        ("16", "required-fields"),
        ("4", "modifier"),
        ("11", "medical-necessity"),
        ("18", "duplicate"),
        ("97", "ncci-ptp"),
        ("50", "medical-necessity-abn"),
        ("151", "mue-frequency"),
        ("119", "mue-frequency"),
        ("29", "timely-filing"),
        ("27", "eligibility"),
        ("31", "eligibility"),
        ("197", "prior-auth"),
    ],
)
def test_common_carcs_map_to_scrubber_rule_families(carc: str, family: str) -> None:
    assert CARC_RULE_FAMILIES[carc].name == family
    assert CARC_RULE_FAMILIES[carc].rule_prefixes


def test_link_serialises_to_json(remit, office_visit) -> None:
    json.dumps([d.to_dict() for d in link_denials(remit, [office_visit])])


# ------------------------------------------------------------------ summary


def test_summary_totals_statuses_and_codes() -> None:
    s = summarize_remit(MIXED)
    assert s["transactions"] == 1 and s["claims"] == 4
    assert (s["charged"], s["paid"], s["patient_responsibility"]) == ("530.5", "100", "25")
    assert s["claim_status"] == {"processed as primary": 2, "denied": 2}
    assert s["denied_claims"] == ["SYN-LAB-0002", "SYN-OLD-0004"]
    assert s["adjustments"]["CO-97"] == {
        "count": 2,
        "amount": "73.5",
        "text": "benefit included in the allowance for another service (bundled)",
    }
    assert s["rarcs"] == {"M80": 1, "MA120": 1, "MA130": 1, "N115": 1, "N362": 1}
    assert s["payments"] == [
        {"trace": "EFT0000123", "amount": "102.5", "method": "ACH", "date": "2025-12-31"}
    ]
    assert s["provider_adjustments"] == [{"reason": "L6", "reference": "INT0001", "amount": "-2.5"}]
    json.dumps(s)


def test_a_scrub_report_can_stand_in_for_its_findings(remit, office_visit) -> None:
    class Report:  # the shape of medcoder.edits.scrubber.ScrubReport
        findings = [Finding("MUE-001", Severity.DENY, "units", "split", ("J3301",), (3,))]

    links = link_denials(remit, [office_visit], {"SYN-OP-0001": Report()})
    assert [d.findings for d in links if d.carc == "151"] == [["MUE-001"]]


# --- issue 17: line balancing, posting file, nothing beside the input ------------------------


def test_a_line_whose_adjustments_do_not_balance_is_reported() -> None:
    text = MIXED.read_text().replace("CAS*CO*45*40~", "CAS*CO*45*30~", 1)
    (r,) = parse_835(text)
    assert any("line 1 (99214)" in w and "line CAS total 55" in w for w in r.warnings)
    (clean,) = read_835(MIXED)
    assert not any(" line " in w for w in clean.warnings)


def test_summary_has_per_claim_and_per_line_detail() -> None:
    detail = summarize_remit(MIXED)["claim_detail"]
    first = detail[0]
    assert first["claim_id"] == "SYN-OP-0001" and first["payer_claim_control"] == "PCN0000000001"
    assert [ln["code"] for ln in first["lines"]] == ["99214", "83036", "J3301"]
    assert first["lines"][0]["adjustments"] == ["CO-45 40", "PR-2 25"]


def test_posting_rows_split_patient_responsibility_and_contractual() -> None:
    from medcoder.claims.remit import posting_rows

    rows = posting_rows(read_835(MIXED))
    visit = rows[0]
    assert (
        visit["code"],
        visit["paid"],
        visit["patient_responsibility"],
        visit["contractual"],
    ) == (
        "99214",
        "100",
        "25",
        "40",
    )
    old = [r for r in rows if r["claim_id"] == "SYN-OLD-0004"]
    assert old and old[-1]["contractual"] == "80"


def test_remit_command_writes_only_where_it_is_told(tmp_path: Path) -> None:
    import os
    import shutil
    import subprocess
    import sys

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(MIXED, inbox / "era.835")
    outputs = tmp_path / "out"
    outputs.mkdir()
    env = {**os.environ, "MEDCODER_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run(
        [sys.executable, "-m", "medcoder", "remit", str(inbox / "era.835"),
         "-o", str(outputs / "posting.csv"), "--ack", str(outputs / "era.999")],
        capture_output=True, text=True, env=env, timeout=300,
        cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in inbox.iterdir()) == ["era.835"]
    assert (outputs / "posting.csv").read_text().startswith("payment_trace,")
    assert "ST*999*" in (outputs / "era.999").read_text()
    assert not list(REMIT.glob("*.997")) and not list(REMIT.glob("*.999"))
