"""999 and 277CA acknowledgments tied back to the claims medcoder sent (issue 17)."""

from __future__ import annotations

import json
from pathlib import Path

from medcoder.claims.acknowledgments import read_acknowledgment
from medcoder.claims.control_numbers import ControlNumbers
from medcoder.claims.model import ClaimEncounter
from medcoder.claims.submission import Submitter, render, write_claim
from medcoder.claims.x12_validate import acknowledge

SUBMITTER = Submitter(sender_id="SUBMITTER01", receiver_id="EXCH1")


def _office(fixtures: Path) -> ClaimEncounter:
    return ClaimEncounter.model_validate(
        json.loads((fixtures / "claims" / "outpatient_office_visit.json").read_text())
    )


def test_999_accepting_our_claim_names_the_claim_sent(fixtures, tmp_path) -> None:
    log = ControlNumbers(tmp_path / "sent.sqlite")
    sent = write_claim(_office(fixtures), "837P", SUBMITTER, numbers=log)
    ack = read_acknowledgment(acknowledge(sent.text), sent=log)
    (s,) = ack.sets
    assert ack.kind == "999" and s.accepted and s.claims == ["SYN-OP-0001"]
    assert int(s.group_control) == sent.control_number


def test_999_rejecting_a_set_gives_the_segment_at_fault(fixtures, tmp_path) -> None:
    log = ControlNumbers(tmp_path / "sent.sqlite")
    bad = render(_office(fixtures), "837P", SUBMITTER, 7).replace("HI*ABK", "HI*XXX")
    (s,) = read_acknowledgment(acknowledge(bad), sent=log).sets
    assert not s.accepted and s.to_dict()["status"] == "rejected"
    assert any(e.startswith("HI") for e in s.errors) and s.claims == []


CA277 = (
    "ISA*00*          *00*          *ZZ*EXCH1          *ZZ*SUBMITTER01    *250602*1200*^*00501"
    "*000000101*0*T*:~GS*HN*EXCH1*SUBMITTER01*20250602*1200*101*X*005010X214~"
    "ST*277*0001*005010X214~BHT*0085*08*ACK0001*20250602*1200*TH~"
    "HL*1**20*1~NM1*PR*2*SYNTHETIC PAYER*****PI*EXCH1~TRN*1*ACK0001~DTP*050*D8*20250602~"
    "DTP*009*D8*20250602~HL*2*1*21*1~NM1*41*2*SYNTHETIC FAMILY CLINIC*****46*SUBMITTER01~"
    "TRN*2*BATCH1~STC*A1:19:PR*20250602*WQ*285.5~HL*3*2*19*1~"
    "NM1*85*2*SYNTHETIC FAMILY CLINIC*****XX*1234567893~"
    "HL*4*3*PT~NM1*QC*1*SYNTHETIC*ALEX****MI*XCH123456789~TRN*2*SYN-OP-0001~"
    "STC*A2:20:PR*20250602*WQ*205.5~REF*1K*PCN0000000009~DTP*472*RD8*20250211-20250211~"
    "HL*5*3*PT~NM1*QC*1*OTHER*PAT****MI*X2~TRN*2*SYN-OP-0002~"
    "STC*A7:254:PR*20250602*U*80~SE*24*0001~GE*1*101~IEA*1*000000101~"
)


def test_277ca_says_claim_by_claim_what_the_payer_took(fixtures, tmp_path) -> None:
    log = ControlNumbers(tmp_path / "sent.sqlite")
    sent = write_claim(_office(fixtures), "837P", SUBMITTER, numbers=log)
    ack = read_acknowledgment(CA277, sent=log)
    accepted, rejected = ack.claims
    assert (accepted.claim_id, accepted.accepted, accepted.payer_claim_control) == (
        "SYN-OP-0001",
        True,
        "PCN0000000009",
    )
    assert accepted.sent and accepted.control_number == sent.control_number
    assert rejected.claim_id == "SYN-OP-0002" and not rejected.accepted and not rejected.sent
    assert rejected.statuses == ["A7:254 rejected: invalid information"]
