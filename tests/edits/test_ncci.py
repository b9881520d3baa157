"""NCCI PTP and MUE loaders and checks (NCCI-PTP-*, MUE-*), on synthetic CMS-layout files."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from medcoder.edits import ncci
from medcoder.edits.findings import Severity
from medcoder.errors import SourceFileError


def _line(code: str, *, mods=(), units="1", date=None):  # noqa: ANN001, ANN202
    out = {
        "code": code,
        "charge": "10",
        "modifiers": list(mods),
        "units": units,
        "dx_pointers": [1],
    }
    if date:
        out["service_date"] = date
    return out


def _ptp_ids(run, ptp, enc) -> list[str]:  # noqa: ANN001
    found = []
    for rule in (ncci.ptp_never, ncci.ptp_unmodified, ncci.ptp_bypassed):
        found += run(rule, enc, ptp=ptp)
    return [f.rule_id for f in found]


def test_ptp_loader_reads_cms_tab_and_csv_layouts(ptp: ncci.PtpTable) -> None:
    assert len(ptp) == 7  # six tab rows after three heading lines, one CSV row
    edit = ptp.index["27447"]["20610"][0]
    assert edit.prior_1996 and edit.modifier_indicator == 1 and edit.deletion is None
    assert edit.rationale.startswith("CPT Manual")
    deleted = ptp.index["93000"]["93005"][0]
    assert deleted.deletion == dt.date(2024, 1, 1)
    assert ptp.edit("93000", "93005", dt.date(2023, 12, 31)) is deleted
    assert ptp.edit("93000", "93005", dt.date(2024, 1, 1)) is None


def test_ptp_loader_names_file_and_line_of_a_bad_row(tmp_path: Path) -> None:
    bad = tmp_path / "ptp.txt"
    bad.write_text("Column 1\tColumn 2\n11042\t97597\t\t20140101\t*\t7\tx\n")
    with pytest.raises(SourceFileError) as err:
        ncci.load_ptp(bad)
    assert err.value.line == 2 and "modifier indicator" in err.value.problem
    bad.write_text("11042\t97597\t\t2014-13-45\t*\t1\tx\n")
    with pytest.raises(SourceFileError, match="not a date"):
        ncci.load_ptp(bad)
    bad.write_text("just a heading\n")
    with pytest.raises(SourceFileError, match="no edit rows"):
        ncci.load_ptp(bad)


def test_indicator_0_pair_is_a_deny_even_with_a_modifier(make, run, ptp) -> None:
    enc = make(lines=[_line("43239"), _line("43235", mods=("59",))])
    found = run(ncci.ptp_never, enc, ptp=ptp)
    assert found and found[0].rule_id == "NCCI-PTP-001" and found[0].lines == (1, 2)
    assert found[0].severity is Severity.DENY and found[0].carc == "CO-97"


def test_codes_on_different_dates_pass_ptp(make, run, ptp) -> None:
    enc = make(lines=[_line("43239"), _line("43235", date="2026-01-16")])
    assert _ptp_ids(run, ptp, enc) == []


def test_indicator_1_pair_without_modifier_is_a_deny(make, run, ptp) -> None:
    found = run(ncci.ptp_unmodified, make(lines=[_line("11042"), _line("97597")]), ptp=ptp)
    assert found and found[0].rule_id == "NCCI-PTP-002" and found[0].codes == ("11042", "97597")


def test_indicator_1_pair_with_xs_is_bypassed_with_a_documentation_warning(make, run, ptp) -> None:
    enc = make(lines=[_line("11042"), _line("97597", mods=("XS",))])
    assert _ptp_ids(run, ptp, enc) == ["NCCI-PTP-003"]
    found = run(ncci.ptp_bypassed, enc, ptp=ptp)
    assert found[0].severity is Severity.WARN and found[0].details["bypass_modifier"] == "XS"


def test_modifier_25_bypasses_only_on_the_em_line(make, run, ptp) -> None:
    assert _ptp_ids(run, ptp, make(lines=[_line("20610"), _line("99213", mods=("25",))])) == [
        "NCCI-PTP-003"
    ]
    assert _ptp_ids(run, ptp, make(lines=[_line("20610", mods=("25",)), _line("99213")])) == [
        "NCCI-PTP-002"
    ]
    assert _ptp_ids(run, ptp, make(lines=[_line("20610"), _line("99213", mods=("59",))])) == [
        "NCCI-PTP-002"
    ]


def test_anatomic_modifiers_bypass_only_for_different_sites(make, run, ptp) -> None:
    sites = make(lines=[_line("27447", mods=("RT",)), _line("20610", mods=("LT",))])
    assert _ptp_ids(run, ptp, sites) == ["NCCI-PTP-003"]
    same = make(lines=[_line("27447", mods=("RT",)), _line("20610", mods=("RT",))])
    assert _ptp_ids(run, ptp, same) == ["NCCI-PTP-002"]


def test_deleted_and_indicator_9_edits_do_not_apply(make, run, ptp) -> None:
    assert _ptp_ids(run, ptp, make(lines=[_line("93000"), _line("93005")])) == []
    old = make(service_date="2023-06-01", lines=[_line("93000"), _line("93005")])
    assert _ptp_ids(run, ptp, old) == ["NCCI-PTP-001"]
    assert _ptp_ids(run, ptp, make(lines=[_line("12001"), _line("12002")])) == []


def test_mue_loader_reads_value_and_mai(mue: ncci.MueTable, tmp_path: Path) -> None:
    assert mue["20610"] == ncci.MueEdit("20610", Decimal(2), 1, "Anatomic Consideration")
    assert mue["36415"].mai == 2 and mue["97110"].mai == 3
    bad = tmp_path / "mue.txt"
    bad.write_text("HCPCS/CPT Code\tMUE\tMAI\n20610\t2\t4 Something\tx\n")
    with pytest.raises(SourceFileError) as err:
        ncci.load_mue(bad)
    assert err.value.line == 2


def test_mue_line_edit_over_units_is_a_deny(make, run, mue) -> None:
    found = run(ncci.mue_line, make(lines=[_line("20610", units="3")]), mue=mue)
    assert found and found[0].rule_id == "MUE-001" and found[0].details["mai"] == 1


def test_mue_line_edit_split_across_lines_passes(make, run, mue) -> None:
    lines = [_line("20610", mods=("RT",), units="2"), _line("20610", mods=("LT",), units="2")]
    assert run(ncci.mue_line, make(lines=lines), mue=mue) == []


def test_mue_policy_edit_sums_the_date_of_service(make, run, mue) -> None:
    found = run(
        ncci.mue_policy, make(lines=[_line("36415"), _line("36415", mods=("XE",))]), mue=mue
    )
    assert found and found[0].rule_id == "MUE-002" and found[0].lines == (1, 2)
    assert found[0].details["appealable"] is False


def test_mue_policy_edit_within_value_passes(make, run, mue) -> None:
    lines = [_line("36415"), _line("36415", date="2026-01-16")]
    assert run(ncci.mue_policy, make(lines=lines), mue=mue) == []


def test_mue_clinical_edit_is_a_deny_flagged_appealable(make, run, mue) -> None:
    found = run(ncci.mue_clinical, make(lines=[_line("97110", units="5")]), mue=mue)
    assert found and found[0].rule_id == "MUE-003" and found[0].details["appealable"] is True


def test_mue_clinical_edit_within_value_passes(make, run, mue) -> None:
    assert run(ncci.mue_clinical, make(lines=[_line("97110", units="4")]), mue=mue) == []
