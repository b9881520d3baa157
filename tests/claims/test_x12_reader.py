"""x12_reader: lenient parsing of real-world 837 files and a field-by-field round trip."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from test_x12_factory import synthetic_encounters

from medcoder.claims.model import ClaimEncounter
from medcoder.claims.x12_reader import decode_x12, read_837, split_segments
from medcoder.claims.x12_validate import validate_x12
from medcoder.claims.x12_writer import write_837i, write_837p
from medcoder.errors import SourceFileError

KW = {
    "sender_id": "SUBMITTER01",
    "receiver_id": "RECEIVER01",
    "control_number": 55,
    "created": dt.datetime(2025, 6, 1, 9, 5),
}
ENCOUNTERS = synthetic_encounters()


def _nodot(code: str) -> str:
    return code.replace(".", "")


@pytest.mark.shared_data
def test_every_shared_x12_file_parses(shared_data: Path, record_property) -> None:
    files = sorted(p for p in (shared_data / "x12").rglob("*") if p.is_file())
    if not files:
        pytest.skip("no X12 sample files under shared data")
    claims = lines = pyx12_clean = 0
    for path in files:
        read = read_837(path.read_bytes())
        claims += len(read)
        lines += sum(len(c.lines) for c in read)
        pyx12_clean += validate_x12(decode_x12(path.read_bytes())) == []
    record_property("x12_files", len(files))
    record_property("x12_claims", claims)
    record_property("pyx12_clean_files", pyx12_clean)
    print(f"{len(files)} files, {claims} claims, {lines} lines; pyx12 accepts {pyx12_clean} as-is")
    assert claims > len(files) // 2 and lines > claims


@pytest.mark.parametrize("enc", ENCOUNTERS, ids=[e.id for e in ENCOUNTERS])
def test_837p_round_trip_keeps_codes_charges_pointers_and_dates(enc: ClaimEncounter) -> None:
    (claim,) = read_837(write_837p(enc, **KW))
    assert claim.version == "005010X222A1"
    assert claim.claim_id == enc.id
    assert claim.total_charge == sum(ln.charge for ln in enc.lines)
    assert claim.billing_provider.id == enc.billing_provider.npi
    assert claim.payer.id == enc.payer.id and claim.filing_indicator == enc.payer.filing_indicator
    assert claim.subscriber.id == enc.payer.member_id
    assert claim.patient.last_name == enc.patient.last_name.upper()
    assert (
        claim.patient.birth_date == enc.patient.birth_date and claim.patient.sex == enc.patient.sex
    )
    assert [(d.qualifier, d.code) for d in claim.diagnoses] == [
        ("ABK" if i == 0 else "ABF", _nodot(d.code)) for i, d in enumerate(enc.diagnoses)
    ]
    assert claim.facility_code == enc.place_of_service
    assert claim.frequency_code == enc.claim_frequency()
    assert (claim.rendering_provider.id if claim.rendering_provider else None) == (
        enc.rendering_provider.npi if enc.rendering_provider else None
    )
    assert len(claim.lines) == len(enc.lines)
    for got, want in zip(claim.lines, enc.lines, strict=True):
        assert got.code == want.code and got.modifiers == want.modifiers
        assert got.charge == want.charge and got.units == want.units
        assert got.dx_pointers == want.dx_pointers
        assert got.service_date == (want.service_date or enc.service_date)
        assert got.ndc == (want.ndc.replace("-", "") if want.ndc else None)


@pytest.mark.parametrize("enc", [e for e in ENCOUNTERS if e.procedures], ids=lambda e: e.id)
def test_837i_round_trip_keeps_poa_procedures_and_revenue_codes(enc: ClaimEncounter) -> None:
    (claim,) = read_837(write_837i(enc, **KW))
    assert claim.type_of_bill == enc.type_of_bill
    assert claim.statement_from == enc.admission_date and claim.statement_to == enc.discharge_date
    assert (
        claim.admission_date == enc.admission_date
        and claim.discharge_status == enc.discharge_status
    )
    principal, admitting, *others = claim.diagnoses
    assert (principal.qualifier, principal.code) == ("ABK", _nodot(enc.diagnoses[0].code))
    assert (admitting.qualifier, admitting.code) == ("ABJ", _nodot(enc.admitting_diagnosis))
    assert [o.code for o in others] == [_nodot(d.code) for d in enc.diagnoses[1:]]
    expected_poa = [None if d.poa == "1" else d.poa for d in enc.diagnoses]
    assert [principal.poa, *(o.poa for o in others)] == expected_poa
    assert [(p.code, p.date) for p in claim.procedures] == [
        (p.code, p.date) for p in enc.procedures
    ]
    assert [p.qualifier for p in claim.procedures] == ["BBR"] + ["BBQ"] * (len(enc.procedures) - 1)
    assert [ln.revenue_code for ln in claim.lines] == [ln.revenue_code for ln in enc.lines]
    assert claim.attending_provider.id == enc.attending_provider.npi


def test_fixture_round_trip(fixtures: Path) -> None:
    enc = ClaimEncounter.model_validate(
        json.loads((fixtures / "claims" / "outpatient_office_visit.json").read_text())
    )
    (claim,) = read_837(write_837p(enc, **KW))
    assert claim.total_charge == Decimal("205.50")
    assert (
        claim.lines[2].code == "J3301"
        and claim.lines[2].modifiers == ["RT"]
        and claim.lines[2].units == 4
    )


def test_reader_takes_delimiters_from_the_isa() -> None:
    x12 = write_837p(ENCOUNTERS[5], **KW)
    swapped = x12.replace("*", "|").replace(":", ">").replace("~", "\n")
    assert [c.claim_id for c in read_837(swapped)] == [ENCOUNTERS[5].id]
    assert read_837(swapped)[0].lines[0].dx_pointers == ENCOUNTERS[5].lines[0].dx_pointers


def test_reader_tolerates_bom_indentation_and_crlf() -> None:
    x12 = write_837p(ENCOUNTERS[6], **KW)
    messy = "\ufeff" + x12.replace("~", "~\r\n    ")
    assert read_837(messy)[0].lines[0].code == ENCOUNTERS[6].lines[0].code


def test_reader_decodes_utf16_without_bom() -> None:
    x12 = write_837p(ENCOUNTERS[7], **KW)
    assert read_837(x12.encode("utf-16-le"))[0].claim_id == ENCOUNTERS[7].id


def test_reader_reads_several_claims_and_patient_loops() -> None:
    text = (
        "ISA*00*          *00*          *ZZ*A              *ZZ*B              *250101*1200*^*00501*000000001*0*T*:~"
        "GS*HC*A*B*20250101*1200*1*X*005010X222A1~ST*837*0001*005010X222A1~BHT*0019*00*1*20250101*1200*CH~"
        "HL*1**20*1~NM1*85*2*CLINIC*****XX*1234567893~HL*2*1*22*1~SBR*P********CI~NM1*IL*1*DOE*JANE****MI*M1~"
        "NM1*PR*2*PAYER*****PI*P1~HL*3*2*23*0~PAT*19~NM1*QC*1*DOE*KID~DMG*D8*20150101*F~"
        "CLM*C1*10***11:B:1~HI*ABK:J069~LX*1~SV1*HC:99213*10*UN*1***1~DTP*472*RD8*20250101-20250102~"
        "CLM*C2*20***11:B:1~HI*ABK:R509*ABF:J069~LX*1~SV1*HC:99214:25*20*UN*1***2:1~"
        "SE*20*0001~GE*1*1~IEA*1*000000001~"
    )
    first, second = read_837(text)
    assert first.patient.first_name == "KID" and first.subscriber.first_name == "JANE"
    assert first.relationship == "19" and first.patient.birth_date == dt.date(2015, 1, 1)
    assert first.lines[0].service_date == dt.date(2025, 1, 1) and first.lines[
        0
    ].service_date_end == dt.date(2025, 1, 2)
    assert (
        second.claim_id == "C2"
        and second.lines[0].dx_pointers == [2, 1]
        and second.lines[0].modifiers == ["25"]
    )


def test_text_without_isa_raises_a_source_file_error() -> None:
    with pytest.raises(SourceFileError):
        split_segments("ST*837*0001~")
