"""999 and 277CA acknowledgments, tied back to the claims medcoder sent.

A clearinghouse answers an 837 twice before any payment: a **999** (005010X231A1) says
whether each transaction set passed the implementation guide (AK2 names the set by its ST02
control number, IK5 accepts or rejects it, IK3/IK4 name the segment and element at fault),
and a **277CA** (005010X214) says, claim by claim, whether the payer took it into
adjudication (STC category A1/A2) or rejected it at the front end (A3, A6, A7, A8, with a
claim status code such as 254 "invalid diagnosis for the date of service"). The 277CA names
each claim by the patient control number medcoder sent (CLM01, echoed in TRN02).

Both are tied to what was sent through the log of
:class:`~medcoder.claims.control_numbers.ControlNumbers`: a 999 by control number (our ST02
and GS06 carry the interchange number), a 277CA by claim id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from medcoder.claims.control_numbers import ControlNumbers
from medcoder.claims.x12_reader import split_segments
from medcoder.errors import SourceFileError

#: IK5/AK5 transaction set acknowledgment codes.
SET_STATUS = {
    "A": "accepted",
    "E": "accepted with errors",
    "M": "rejected (message authentication)",
    "P": "partially accepted",
    "R": "rejected",
    "W": "rejected (assurance failed)",
    "X": "rejected (content could not be analysed)",
}
#: 277CA claim status categories (STC01-1) and whether the claim got through.
CATEGORY = {
    "A0": ("forwarded", True),
    "A1": ("received", True),
    "A2": ("accepted into adjudication", True),
    "A3": ("returned as unprocessable", False),
    "A4": ("not found", False),
    "A5": ("split", True),
    "A6": ("rejected: missing information", False),
    "A7": ("rejected: invalid information", False),
    "A8": ("rejected: relational field in error", False),
}


@dataclass
class SetAck:
    """One AK2 of a 999: a transaction set we sent and what the receiver said of it."""

    group_control: str | None
    set_control: str
    status: str
    errors: list[str] = field(default_factory=list)
    claims: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.status in ("A", "E", "P")

    def to_dict(self) -> dict[str, Any]:
        return {
            "group_control": self.group_control,
            "set_control": self.set_control,
            "status": SET_STATUS.get(self.status, self.status),
            "accepted": self.accepted,
            "errors": self.errors,
            "claims": self.claims,
        }


@dataclass
class ClaimAck:
    """One claim of a 277CA: its status codes and whether the payer accepted it."""

    claim_id: str
    statuses: list[str] = field(default_factory=list)
    payer_claim_control: str | None = None
    accepted: bool = True
    sent: bool = False
    control_number: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim_id": self.claim_id,
            "accepted": self.accepted,
            "statuses": self.statuses,
            "payer_claim_control": self.payer_claim_control,
            "sent_by_medcoder": self.sent,
            "control_number": self.control_number,
        }


@dataclass
class Acknowledgment:
    kind: str  # "999" or "277CA"
    sets: list[SetAck] = field(default_factory=list)
    claims: list[ClaimAck] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "sets": [s.to_dict() for s in self.sets],
            "claims": [c.to_dict() for c in self.claims],
        }


def read_acknowledgment(
    text: str, *, source: str = "<ack>", sent: ControlNumbers | None = None
) -> Acknowledgment:
    """Read a 999 or 277CA and tie it to the claims in ``sent`` (the data directory's log
    by default)."""
    try:
        delims, segments = split_segments(text.lstrip("\ufeff"))
    except SourceFileError as exc:
        raise SourceFileError(source, exc.problem) from None
    kinds = {s[1] for s in segments if s[0] == "ST" and len(s) > 1}
    log = sent or ControlNumbers()
    if "999" in kinds:
        return _read_999(segments, delims.component, log)
    if "277" in kinds:
        return _read_277ca(segments, delims.component, log)
    raise SourceFileError(source, f"not a 999 or 277CA acknowledgment (ST01 {sorted(kinds)})")


def _get(seg: list[str], i: int) -> str:
    return seg[i] if len(seg) > i else ""


def _read_999(segments: list[list[str]], comp: str, log: ControlNumbers) -> Acknowledgment:
    ack = Acknowledgment("999")
    group: str | None = None
    current: SetAck | None = None
    where = ""
    for seg in segments:
        tag = seg[0]
        if tag == "AK1":
            group = _get(seg, 2) or None
        elif tag == "AK2":
            current = SetAck(group, _get(seg, 2), "")
            ack.sets.append(current)
        elif tag == "IK3" and current is not None:
            where = f"{_get(seg, 1)} (segment {_get(seg, 2)}, loop {_get(seg, 3) or '-'})"
            current.errors.append(f"{where}: segment error {_get(seg, 4)}")
        elif tag == "IK4" and current is not None:
            element = _get(seg, 1).split(comp)[0]
            bad = f" value {_get(seg, 4)!r}" if _get(seg, 4) else ""
            current.errors.append(f"{where} element {element}: error {_get(seg, 3)}{bad}")
        elif tag == "IK5" and current is not None:
            current.status = _get(seg, 1)
            codes = [c for c in seg[2:7] if c]
            if codes:
                current.errors.append(f"transaction set: {', '.join(codes)}")
    for s in ack.sets:
        number = _number(s.group_control) or _number(s.set_control)
        if number is not None:
            s.claims = [c.claim_id for c in log.sent(control_number=number)]
    return ack


def _read_277ca(segments: list[list[str]], comp: str, log: ControlNumbers) -> Acknowledgment:
    ack = Acknowledgment("277CA")
    level = ""
    current: ClaimAck | None = None
    for seg in segments:
        tag = seg[0]
        if tag == "HL":
            level = _get(seg, 3)
            current = None
        elif tag == "TRN" and level == "PT" and _get(seg, 1) == "2":
            current = ClaimAck(_get(seg, 2))
            ack.claims.append(current)
        elif tag == "STC" and current is not None:
            parts = _get(seg, 1).split(comp)
            category = parts[0]
            label, ok = CATEGORY.get(category, (category, True))
            code = f":{parts[1]}" if len(parts) > 1 and parts[1] else ""
            current.statuses.append(f"{category}{code} {label}")
            current.accepted = current.accepted and ok
        elif tag == "REF" and current is not None and _get(seg, 1) == "1K":
            current.payer_claim_control = _get(seg, 2)
    for claim in ack.claims:
        found = log.sent(claim_id=claim.claim_id)
        if found:
            claim.sent, claim.control_number = True, found[-1].control_number
    return ack


def _number(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None
