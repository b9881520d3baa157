"""Diagnosis validity, Excludes1, sequencing and duplicates (DX-*), on the built-in FY2026 pack."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from medcoder.codesets.icd10cm_pack import ICD10CMPack, build_tabular_pack
from medcoder.codesets.icd10cm_tabular import note_references, parse_tabular
from medcoder.edits import rules_dx as rd
from medcoder.edits.context import ScrubContext, build_context
from medcoder.edits.findings import Severity


def _dx(*codes: str) -> list[dict[str, str]]:
    return [{"code": c} for c in codes]


def _run(rule, enc):  # noqa: ANN001, ANN202
    return rule(enc, build_context(enc, today=dt.date(2026, 3, 1)))


def test_unknown_diagnosis_is_a_reject(built_packs: Path, make) -> None:
    found = _run(rd.dx_unknown, make(diagnoses=_dx("I10", "E11.99")))
    assert [(f.rule_id, f.codes) for f in found] == [("DX-VALID-001", ("E11.99",))]
    assert found[0].severity is Severity.REJECT and found[0].details["position"] == 2


def test_unknown_admitting_diagnosis_is_a_reject(built_packs: Path, make) -> None:
    enc = make(setting="inpatient", admission_date="2026-01-10", admitting_diagnosis="R07.99X")
    found = _run(rd.dx_unknown, enc)
    assert found and found[0].details["position"] == "admitting"


def test_known_diagnosis_passes_validity(built_packs: Path, make) -> None:
    assert _run(rd.dx_unknown, make(diagnoses=_dx("E11.9", "I10"))) == []


def test_header_diagnosis_is_a_reject(built_packs: Path, make) -> None:
    found = _run(rd.dx_header, make(diagnoses=_dx("E11")))
    assert found and found[0].rule_id == "DX-VALID-002" and "E11.0" in found[0].fix


def test_billable_diagnosis_is_not_a_header(built_packs: Path, make) -> None:
    assert _run(rd.dx_header, make(diagnoses=_dx("E11.9"))) == []


def test_missing_seventh_character_is_a_reject(built_packs: Path, make) -> None:
    found = _run(rd.dx_seventh, make(diagnoses=_dx("S52.521")))
    assert found and found[0].rule_id == "DX-VALID-003"
    assert found[0].details["status"] == "missing_7th" and "S52.521A" in found[0].fix


def test_complete_seventh_character_passes(built_packs: Path, make) -> None:
    assert _run(rd.dx_seventh, make(diagnoses=_dx("S52.521A"))) == []


def test_deleted_diagnosis_is_a_reject(fixtures: Path, tmp_path: Path, make) -> None:
    xml = fixtures / "icd10cm_tabular" / "mini_tabular_2026.xml"
    old = tmp_path / "old.xml"
    old.write_text(
        xml.read_text()
        .replace("<version>2026</version>", "<version>2025</version>")
        .replace("<diag><name>E11.9</name>", "<diag><name>E11.8</name><desc>Old</desc></diag><diag><name>E11.9</name>")
    )  # fmt: skip
    new = ICD10CMPack(build_tabular_pack(parse_tabular(xml)))
    previous = ICD10CMPack(build_tabular_pack(parse_tabular(old)))
    ctx = ScrubContext(
        on=dt.date(2026, 1, 15), today=dt.date(2026, 3, 1), pack=new, others=[previous]
    )
    found = rd.dx_not_in_force(make(diagnoses=_dx("E11.8")), ctx)
    assert found and found[0].rule_id == "DX-VALID-004" and found[0].details["status"] == "deleted"
    assert rd.dx_not_in_force(make(diagnoses=_dx("E11.9")), ctx) == []


def test_excludes1_pair_is_a_reject(built_packs: Path, make) -> None:
    found = _run(rd.excludes1_pair, make(diagnoses=_dx("E11.9", "I10", "E10.9")))
    assert [f.rule_id for f in found] == ["DX-EXCL1-001"]
    assert found[0].codes == ("E11.9", "E10.9") and found[0].severity is Severity.REJECT
    assert found[0].details["note_from"] in {"E10", "E11"}


def test_excludes1_note_limited_to_a_subcategory_applies_only_there(
    built_packs: Path, make
) -> None:
    # G63 Excludes1 "diabetes mellitus (E08-E13 with .42)": E11.42 only, not E11.9.
    assert _run(rd.excludes1_pair, make(diagnoses=_dx("E11.9", "G63"))) == []
    found = _run(rd.excludes1_pair, make(diagnoses=_dx("E11.42", "G63")))
    assert [f.codes for f in found] == [("E11.42", "G63")]
    refs = note_references("x (F10-F19, with .17, .27, .97)")
    assert ("F1017", "F1017") in refs and ("F1997", "F1997") in refs and ("F10", "F19") not in refs


def test_unrelated_diagnoses_pass_excludes1(built_packs: Path, make) -> None:
    assert _run(rd.excludes1_pair, make(diagnoses=_dx("E11.9", "I10"))) == []


def test_manifestation_code_first_listed_is_a_reject(built_packs: Path, make) -> None:
    found = _run(rd.manifestation_first, make(diagnoses=_dx("G63", "E85.4")))
    assert found and found[0].rule_id == "DX-MANIF-001" and found[0].codes == ("G63",)


def test_manifestation_code_after_etiology_passes(built_packs: Path, make) -> None:
    assert _run(rd.manifestation_first, make(diagnoses=_dx("E85.4", "G63"))) == []


def test_code_first_etiology_listed_after_is_a_warning(built_packs: Path, make) -> None:
    found = _run(rd.code_first_order, make(diagnoses=_dx("G63", "C34.90")))
    assert found and found[0].rule_id == "DX-SEQ-001" and found[0].severity is Severity.WARN
    assert found[0].codes == ("C34.90", "G63")


def test_code_first_etiology_listed_before_passes(built_packs: Path, make) -> None:
    assert _run(rd.code_first_order, make(diagnoses=_dx("C34.90", "G63"))) == []


def test_external_cause_code_first_listed_is_a_reject(built_packs: Path, make) -> None:
    found = _run(rd.external_cause_first, make(diagnoses=_dx("W19.XXXA", "S72.001A")))
    assert found and found[0].rule_id == "DX-ECODE-001"


def test_external_cause_code_as_secondary_passes(built_packs: Path, make) -> None:
    assert _run(rd.external_cause_first, make(diagnoses=_dx("S72.001A", "W19.XXXA"))) == []


def test_duplicate_diagnosis_is_a_warning(built_packs: Path, make) -> None:
    found = _run(rd.duplicate_dx, make(diagnoses=_dx("I10", "E11.9", "i10")))
    assert found and found[0].details["position"] == 3 and "principal" in found[0].reason


def test_distinct_diagnoses_pass_duplicate_check(built_packs: Path, make) -> None:
    assert _run(rd.duplicate_dx, make(diagnoses=_dx("I10", "E11.9"))) == []


def test_no_pack_for_the_date_is_a_warning(built_packs: Path, make) -> None:
    enc = make(service_date="2019-06-01")
    found = _run(rd.no_pack, enc)
    assert found and found[0].rule_id == "DX-PACK-001" and "2019" in found[0].reason


def test_pack_in_force_passes_pack_check(built_packs: Path, make) -> None:
    assert _run(rd.no_pack, make()) == []
