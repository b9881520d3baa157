"""XiFin export: the accession CSV and the HL7 v2.5 DFT^P03 charge message."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.parser import parse_message

from medcoder.claims.model import ClaimEncounter
from medcoder.claims.xifin import CSV_COLUMNS, export_dft_p03, export_xifin_csv
from medcoder.errors import UsageError

XIFIN = Path(__file__).resolve().parents[1] / "fixtures" / "xifin"
WHEN = dt.datetime(2025, 12, 3, 8, 30)


@pytest.fixture()
def lab() -> ClaimEncounter:
    return ClaimEncounter.model_validate_json((XIFIN / "lab_accession.json").read_text())


def _with(enc: ClaimEncounter, **changes) -> ClaimEncounter:
    return ClaimEncounter.model_validate({**enc.model_dump(), **changes})


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _parse(msg: str):
    return parse_message(msg, validation_level=VALIDATION_LEVEL.STRICT, find_groups=True)


# ------------------------------------------------------------------ CSV


def test_csv_matches_the_documented_layout(lab: ClaimEncounter) -> None:
    text = export_xifin_csv([lab])
    assert text.splitlines() == (XIFIN / "lab_accession.csv").read_text().splitlines()
    assert text.endswith("\r\n")  # RFC 4180 line ends
    assert tuple(next(csv.reader(io.StringIO(text)))) == CSV_COLUMNS


def test_csv_has_one_row_per_test_keyed_by_accession(lab: ClaimEncounter) -> None:
    rows = _rows(export_xifin_csv([lab]))
    assert [r["test_code"] for r in rows] == ["80053", "83036", "82306", "84443"]
    assert {r["accession_id"] for r in rows} == {"ACC-2025-000417"}
    assert rows[0]["ordering_npi"] == "1234567893" and rows[0]["clia"] == "05D0123456"


def test_csv_resolves_dx_pointers_per_test(lab: ClaimEncounter) -> None:
    rows = _rows(export_xifin_csv([lab]))
    assert (rows[0]["dx_pointers"], rows[0]["test_dx_codes"]) == ("1|2", "E1165|E785")
    assert rows[2]["test_dx_codes"] == "R5383"
    assert rows[0]["accession_dx_codes"] == "E1165|E785|R5383"


def test_csv_flags_abn_from_ga_modifier_or_abn_on_file(lab: ClaimEncounter) -> None:
    rows = _rows(export_xifin_csv([lab]))
    assert [r["abn_signed"] for r in rows] == ["N", "N", "Y", "N"]
    signed = _rows(export_xifin_csv([_with(lab, abn_on_file=True)]))
    assert {r["abn_signed"] for r in signed} == {"Y"}


def test_csv_line_date_overrides_the_accession_date(lab: ClaimEncounter) -> None:
    rows = _rows(export_xifin_csv([lab]))
    assert [r["date_of_service"] for r in rows] == ["2025-12-02"] * 3 + ["2025-12-03"]


def test_accession_id_defaults_to_the_encounter_id(lab: ClaimEncounter) -> None:
    data = lab.model_dump()
    del data["accession_id"]
    rows = _rows(export_xifin_csv([ClaimEncounter.model_validate(data)]))
    assert rows[0]["accession_id"] == "SYN-LAB-0003"


def test_csv_quotes_commas_in_names(lab: ClaimEncounter) -> None:
    payer = {**lab.payer.model_dump(), "name": "Plan, Inc."}
    rows = _rows(export_xifin_csv([_with(lab, payer=payer)]))
    assert rows[0]["payer_name"] == "Plan, Inc."


def test_missing_ordering_provider_is_refused(lab: ClaimEncounter) -> None:
    with pytest.raises(UsageError, match="ACC-2025-000417.*ordering"):
        export_xifin_csv([_with(lab, referring_provider=None)])


def test_bad_dx_pointer_is_refused(lab: ClaimEncounter) -> None:
    lines = [line.model_dump() for line in lab.lines]
    lines[0]["dx_pointers"] = [4]
    with pytest.raises(UsageError, match="pointer 4"):
        export_xifin_csv([_with(lab, lines=lines)])


def test_line_without_a_test_code_is_refused(lab: ClaimEncounter) -> None:
    lines = [line.model_dump() for line in lab.lines]
    lines[1].update(code="", revenue_code="0300")  # a revenue code alone bills no test
    with pytest.raises(UsageError, match="line 2: no CPT/HCPCS"):
        export_xifin_csv([_with(lab, lines=lines)])


# ------------------------------------------------------------------ DFT^P03


def test_dft_parses_back_with_hl7apy_strict_validation(lab: ClaimEncounter) -> None:
    msg = _parse(export_dft_p03(lab, timestamp=WHEN, control_id="MSG0001"))
    assert msg.name == "DFT_P03" and msg.validate()
    assert msg.msh.msh_9.to_er7() == "DFT^P03^DFT_P03"
    assert msg.msh.msh_10.to_er7() == "MSG0001" and msg.msh.msh_12.to_er7() == "2.5"
    assert msg.evn.evn_1.to_er7() == "P03"


def test_dft_patient_and_visit_carry_mrn_and_accession(lab: ClaimEncounter) -> None:
    msg = _parse(export_dft_p03(lab, timestamp=WHEN))
    assert msg.pid.pid_3.to_er7() == "MRN-000333^^^^MR"
    assert msg.pid.pid_5.to_er7() == "O'Example^Jordan" and msg.pid.pid_8.to_er7() == "M"
    assert msg.pv1.pv1_19.to_er7() == "ACC-2025-000417"
    assert msg.pv1.pv1_8.xcn_1.to_er7() == "1234567893"


def test_dft_has_one_ft1_per_test_with_charge_fields(lab: ClaimEncounter) -> None:
    msg = _parse(export_dft_p03(lab, timestamp=WHEN))
    ft1s = [g.ft1 for g in msg.dft_p03_financial]
    assert [f.ft1_7.ce_1.to_er7() for f in ft1s] == ["80053", "83036", "82306", "84443"]
    first = ft1s[0]
    assert first.ft1_2.to_er7() == "ACC-2025-000417-1"
    assert first.ft1_4.to_er7() == "20251202" and first.ft1_6.to_er7() == "CG"
    assert first.ft1_10.to_er7() == "1" and first.ft1_11.to_er7() == "45.00"
    assert first.ft1_25.to_er7() == "80053^^C4"
    assert [d.to_er7() for d in first.ft1_19] == ["E11.65^^I10", "E78.5^^I10"]
    assert first.ft1_21.xcn_1.to_er7() == "1234567893"
    assert first.ft1_21.xcn_13.to_er7() == "NPI"


def test_dft_modifiers_and_abn_code_per_test(lab: ClaimEncounter) -> None:
    msg = _parse(export_dft_p03(lab, timestamp=WHEN))
    ft1s = [g.ft1 for g in msg.dft_p03_financial]
    assert [m.to_er7() for m in ft1s[1].ft1_26] == ["QW^^C4"]
    assert [f.ft1_27.to_er7() for f in ft1s] == ["", "", "3", "4"]  # HL7 table 0339


def test_dft_hcpcs_code_uses_the_hcpcs_coding_system(lab: ClaimEncounter) -> None:
    lines = [line.model_dump() for line in lab.lines]
    lines[0].update(code="G0103", modifiers=[])
    msg = _parse(export_dft_p03(_with(lab, lines=lines), timestamp=WHEN))
    assert msg.dft_p03_financial[0].ft1.ft1_25.to_er7() == "G0103^^HCPCS"


def test_dft_lists_every_diagnosis_in_dg1_and_the_payer_in_in1(lab: ClaimEncounter) -> None:
    msg = _parse(export_dft_p03(lab, timestamp=WHEN))
    assert [d.dg1_3.to_er7() for d in msg.dg1] == ["E11.65^^I10", "E78.5^^I10", "R53.83^^I10"]
    in1 = msg.dft_p03_insurance.in1
    assert in1.in1_3.to_er7() == "MCRB1" and in1.in1_36.to_er7() == "1EG4TE5MK73"


def test_dft_escapes_delimiters_in_free_text(lab: ClaimEncounter) -> None:
    patient = {**lab.patient.model_dump(), "last_name": "Smith|Jones^Jr"}
    msg = _parse(export_dft_p03(_with(lab, patient=patient), timestamp=WHEN))
    assert msg.pid.pid_5.xpn_1.to_er7() == "Smith\\F\\Jones\\S\\Jr"
    assert len(msg.pid.pid_5.children) == 2


def test_dft_refuses_an_accession_without_ordering_provider(lab: ClaimEncounter) -> None:
    with pytest.raises(UsageError, match="ordering"):
        export_dft_p03(_with(lab, referring_provider=None))


# ------------------------------------------------------------------ issue 17: DFT content


def _segments(msg: str, name: str) -> list[list[str]]:
    return [s.split("|") for s in msg.split("\r") if s.startswith(name + "|")]


def test_dft_carries_specimen_client_account_and_guarantor(lab: ClaimEncounter) -> None:
    enc = _with(
        lab,
        client_id="CL-0042",
        client_name="Synthetic Family Clinic",
        specimen={
            "id": "SP1",
            "source": "BLD",
            "collected": "2025-12-02T07:45:00",
            "received": "2025-12-02T10:05:00",
        },  # fmt: skip
    )
    text = export_dft_p03(enc, timestamp=WHEN)
    _parse(text)  # a valid DFT_P03 v2.5 by hl7apy's strict reading
    (orc,) = _segments(text, "ORC")
    assert orc[3] == "ACC-2025-000417" and orc[21].endswith("^CL-0042")
    (obr,) = _segments(text, "OBR")
    assert (obr[7], obr[14], obr[15]) == ("202512020745", "202512021005", "BLD")
    (gt1,) = _segments(text, "GT1")
    assert gt1[3] == "O'Example^Jordan" and gt1[11] == "SEL"


def test_dft_lists_secondary_coverage_after_the_primary(lab: ClaimEncounter) -> None:
    other = {"name": "Medigap Plan", "id": "MGAP1", "member_id": "MG123", "responsibility": "S"}
    text = export_dft_p03(_with(lab, other_payers=[other]), timestamp=WHEN)
    assert [s[3] for s in _segments(text, "IN1")] == ["MCRB1", "MGAP1"]


def test_export_leaves_out_a_bad_accession_and_exports_the_rest(
    lab: ClaimEncounter, tmp_path
) -> None:
    import json
    import os
    import subprocess
    import sys

    good = tmp_path / "good.json"
    good.write_text(lab.model_dump_json())
    bad = json.loads(lab.model_dump_json())
    bad.update(id="BAD-1", accession_id="ACC-BAD", referring_provider=None)
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    (tmp_path / "broken.json").write_text("{")
    env = {**os.environ, "MEDCODER_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run(
        [sys.executable, "-m", "medcoder", "export", str(good), str(tmp_path / "bad.json"),
         str(tmp_path / "broken.json"), "--format", "dft"],
        capture_output=True, text=True, env=env, timeout=300,
        cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stdout.count("MSH|") == 1 and "ACC-2025-000417" in done.stdout
    assert "left out: BAD-1" in done.stderr and "left out: broken.json" in done.stderr
