"""Read X12 835 remittance advice (005010X221A1) and link its denials back to our claims.

Why our own reader rather than pyx12: we want a small typed record of what was paid and
why not, and a one-line error that names the segment when a file is broken; the loop
layout follows the pyx12 map ``835.5010.X221.A1.xml``:

* header: BPR (payment), TRN (reassociation trace), DTM*405, 1000A payer N1*PR, 1000B
  payee N1*PE (with N3/N4/REF/PER);
* 2000 LX (+TS3/TS2), 2100 CLP claim payment with CAS, NM1, MIA/MOA, REF, DTM, AMT, QTY;
* 2110 SVC service payment with DTM, CAS, REF, AMT, QTY, LQ*HE (RARCs);
* footer PLB provider-level adjustments, SE/GE/IEA.

Delimiters come from the ISA (element separator at position 4, ISA16 component separator,
the character after ISA16 as segment terminator). Structure errors (no ISA, a bad ISA,
a segment outside its loop, wrong SE count, missing trailer) raise
:class:`~medcoder.errors.SourceFileError` naming the 1-based segment position. Money that
does not balance (CLP03 - CLP04 != sum of CAS) is reported as a warning, not an error:
the file is the payer's, and we still want to post it.

Denial linking (:func:`link_denials`) matches CLP01 (our CLM01 = ``ClaimEncounter.id``) to the
submitted encounter and SVC lines to its lines, then maps each CARC to the
scrubber rule family that should have caught it (:data:`CARC_RULE_FAMILIES`), so a denial
says whether the scrubber had flagged it (sent anyway) or missed it (a rule gap).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from medcoder.claims.model import ClaimEncounter
from medcoder.errors import SourceFileError

__all__ = [
    "CARC_RULE_FAMILIES",
    "Adjustment",
    "ClaimPayment",
    "DenialLink",
    "RemitParty",
    "ProviderAdjustment",
    "Remittance",
    "ServiceLine",
    "link_denials",
    "parse_835",
    "read_835",
    "summarize_remit",
]


# --------------------------------------------------------------------------- tables

#: CLP02 claim status codes.
CLAIM_STATUS = {
    "1": "processed as primary",
    "2": "processed as secondary",
    "3": "processed as tertiary",
    "4": "denied",
    "19": "processed as primary, forwarded to additional payer(s)",
    "20": "processed as secondary, forwarded to additional payer(s)",
    "21": "processed as tertiary, forwarded to additional payer(s)",
    "22": "reversal of previous payment",
    "23": "not our claim, forwarded to additional payer(s)",
    "25": "predetermination pricing only, no payment",
}

#: Short CARC meanings (paraphrased from the X12 CARC list).
CARC_TEXT = {
    "1": "deductible",
    "2": "coinsurance",
    "3": "copay",
    "4": "procedure code inconsistent with the modifier, or a required modifier is missing",
    "5": "procedure code/type of bill inconsistent with the place of service",
    "6": "procedure/revenue code inconsistent with the patient's age",
    "7": "procedure/revenue code inconsistent with the patient's sex",
    "9": "diagnosis inconsistent with the patient's age",
    "10": "diagnosis inconsistent with the patient's sex",
    "11": "diagnosis inconsistent with the procedure",
    "15": "authorization number missing, invalid or does not apply",
    "16": "claim lacks information or has submission/billing errors (see the RARC)",
    "18": "exact duplicate claim/service",
    "22": "care may be covered by another payer (coordination of benefits)",
    "23": "impact of prior payer(s) adjudication",
    "27": "expenses incurred after coverage terminated",
    "29": "time limit for filing has expired",
    "31": "patient cannot be identified as our insured",
    "45": "charge exceeds fee schedule/maximum allowable (contractual)",
    "50": "non-covered: not deemed a medical necessity by the payer",
    "96": "non-covered charge(s)",
    "97": "benefit included in the allowance for another service (bundled)",
    "109": "claim/service not covered by this payer/contractor",
    "119": "benefit maximum for this time period or occurrence reached",
    "146": "diagnosis invalid for the date(s) of service",
    "151": "information does not support this many/frequency of services",
    "167": "diagnosis is not covered",
    "197": "precertification/authorization/notification absent",
    "198": "precertification/notification/authorization exceeded",
    "204": "service not covered under the patient's current benefit plan",
    "234": "procedure is not paid separately",
    "253": "sequestration: reduction of federal payment",
}

#: Adjustments that are payment arithmetic, not denials: contractual write-off and
#: patient cost sharing (CO-45 is misused for full denials by some payers:
#: such a line shows as paid 0 with only CO-45, which the summary still counts).
ROUTINE_CARCS = frozenset({"1", "2", "3", "23", "45", "253"})


@dataclass(frozen=True)
class RuleFamily:
    """The scrubber checks that pre-empt a CARC: rule-id prefixes of medcoder.edits."""

    name: str
    rule_prefixes: tuple[str, ...]
    action: str


_REQUIRED = RuleFamily(
    "required-fields",
    ("CLM-", "LINE-PTR-"),
    "Fix the field the RARC names (NPI, member id, POS, dates, pointers, CLIA) and resubmit",
)
_MODIFIER = RuleFamily(
    "modifier", ("LINE-MOD-", "LINE-EM25-", "NCCI-PTP-"), "Correct or add the modifier; resubmit"
)
_NECESSITY = RuleFamily(
    "medical-necessity",
    ("DX-", "LINE-PTR-", "LCD-", "NCD-"),
    "Point the line at a diagnosis that supports it (LCD/NCD); appeal with records",
)
_ABN = RuleFamily(
    "medical-necessity-abn",
    ("LCD-", "NCD-", "ABN-"),
    "Covered-diagnosis check and ABN (GA/GZ) before service; appeal with records",
)
_NCCI = RuleFamily(
    "ncci-ptp", ("NCCI-PTP-",), "Bundled per NCCI PTP: add 59/X{EPSU} only if distinct, else accept"
)
_MUE = RuleFamily("mue-frequency", ("MUE-",), "Units over MUE/frequency limit: split or appeal")
_ELIG = RuleFamily(
    "eligibility", ("CLM-MEMBER-", "ELIG-"), "Verify eligibility (270/271) and bill the right payer"
)
_AUTH = RuleFamily("prior-auth", ("AUTH-", "PA-"), "Obtain/attach the authorization number")

#: CARC -> the scrubber rule family that would have caught it. Payer
#: policy rules of medcoder.edits carry the CARC on their findings, which also matches.
CARC_RULE_FAMILIES: dict[str, RuleFamily] = {
    "16": _REQUIRED,
    "4": _MODIFIER,
    "5": RuleFamily("place-of-service", ("CLM-POS-", "LINE-POS-"), "Correct the POS/TOB"),
    "6": RuleFamily("age-conflict", ("MCE-AGE-",), "Check the procedure against the age"),
    "7": RuleFamily("sex-conflict", ("MCE-SEX-",), "Check the procedure against the sex"),
    "9": RuleFamily("age-conflict", ("MCE-AGE-",), "Check the diagnosis against the age"),
    "10": RuleFamily("sex-conflict", ("MCE-SEX-",), "Check the diagnosis against the sex"),
    "11": _NECESSITY,
    "167": _NECESSITY,
    "146": RuleFamily("dx-validity", ("DX-VALID-",), "Use a code valid on the date of service"),
    "18": RuleFamily(
        "duplicate", ("CLM-DUP-", "LINE-DUP-"), "Check 276/277 status before resubmitting"
    ),
    "50": _ABN,
    "97": _NCCI,
    "234": _NCCI,
    "119": _MUE,
    "151": _MUE,
    "29": RuleFamily("timely-filing", ("CLM-DATE-", "CLM-TIMELY-"), "Proof of timely filing"),
    "27": _ELIG,
    "31": _ELIG,
    "22": _ELIG,
    "109": _ELIG,
    "197": _AUTH,
    "15": _AUTH,
    "198": _AUTH,
}


@dataclass
class Adjustment:
    """One CAS triplet: group (CO/OA/PI/PR) + CARC + amount (+ quantity)."""

    group: str
    carc: str
    amount: Decimal
    quantity: Decimal | None = None

    @property
    def label(self) -> str:
        return f"{self.group}-{self.carc}"


@dataclass
class RemitParty:
    """An N1 (payer/payee) or NM1 (patient, insured, provider) entity."""

    entity: str
    name: str | None = None
    id_qualifier: str | None = None
    id: str | None = None
    first_name: str | None = None
    city: str | None = None
    state: str | None = None
    refs: dict[str, str] = field(default_factory=dict)


@dataclass
class ServiceLine:
    """A 2110 SVC service payment."""

    qualifier: str
    code: str
    modifiers: list[str]
    charge: Decimal
    paid: Decimal
    revenue_code: str | None = None
    units_paid: Decimal | None = None
    original_code: str | None = None
    dates: dict[str, dt.date] = field(default_factory=dict)
    adjustments: list[Adjustment] = field(default_factory=list)
    rarcs: list[str] = field(default_factory=list)
    control_number: str | None = None
    allowed: Decimal | None = None


@dataclass
class ClaimPayment:
    """A 2100 CLP claim payment with its adjustments and service lines."""

    claim_id: str
    status: str
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal
    filing_indicator: str | None = None
    payer_claim_control: str | None = None
    facility_type: str | None = None
    frequency: str | None = None
    drg: str | None = None
    drg_weight: Decimal | None = None
    adjustments: list[Adjustment] = field(default_factory=list)
    lines: list[ServiceLine] = field(default_factory=list)
    parties: list[RemitParty] = field(default_factory=list)
    dates: dict[str, dt.date] = field(default_factory=dict)
    rarcs: list[str] = field(default_factory=list)

    @property
    def status_text(self) -> str:
        return CLAIM_STATUS.get(self.status, "unknown status")

    @property
    def denied(self) -> bool:
        return self.status == "4"

    def all_adjustments(self) -> Iterable[tuple[ServiceLine | None, Adjustment]]:
        for adj in self.adjustments:
            yield None, adj
        for line in self.lines:
            for adj in line.adjustments:
                yield line, adj


@dataclass
class ProviderAdjustment:
    """A PLB adjustment (PLB03 reason:reference + PLB04 amount; negative adds to payment)."""

    provider_id: str
    reason: str
    reference: str | None
    amount: Decimal


@dataclass
class Remittance:
    """One 835 transaction set (ST..SE)."""

    control_number: str
    handling_code: str
    total_payment: Decimal
    credit_debit: str | None
    payment_method: str | None
    payment_date: dt.date | None
    trace_number: str | None
    trace_originator: str | None
    payer: RemitParty | None = None
    payee: RemitParty | None = None
    production_date: dt.date | None = None
    claims: list[ClaimPayment] = field(default_factory=list)
    provider_adjustments: list[ProviderAdjustment] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- parsing


def read_835(path: str | Path) -> list[Remittance]:
    """Parse an 835 file; one :class:`Remittance` per ST/SE transaction set."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise SourceFileError(p, f"cannot read 835: {exc.strerror}") from exc
    return parse_835(data, source=str(p))


def parse_835(text: str | bytes, *, source: str = "<835>") -> list[Remittance]:
    """Parse 835 text; raises :class:`SourceFileError` naming the bad segment position."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = text.decode("latin-1")
    return _Parser(source, *_tokenize(text, source)).run()


def _tokenize(text: str, source: str) -> tuple[str, list[list[str]]]:
    text = text.lstrip("\ufeff \r\n\t")
    if not text.startswith("ISA"):
        raise SourceFileError(source, "segment 1: not an X12 interchange (missing ISA)")
    if len(text) < 106:
        raise SourceFileError(source, "segment 1 (ISA): truncated, shorter than 106 characters")
    elem, comp, term = text[3], text[104], text[105]
    if elem.isalnum() or elem in " \r\n" or len({elem, comp, term}) < 3 or term.isalnum():
        raise SourceFileError(
            source,
            f"segment 1 (ISA): bad delimiters (element {elem!r}, component {comp!r}, "
            f"segment {term!r}); ISA must be fixed-width with distinct separators",
        )
    segments = [s.strip("\r\n\t ") for s in text.split(term)]
    out = [s.split(elem) for s in segments if s]
    if len(out[0]) != 17:
        raise SourceFileError(source, f"segment 1 (ISA): {len(out[0]) - 1} elements, not 16")
    return comp, out


def _dec(value: str | None, source: str, pos: int, tag: str) -> Decimal:
    try:
        return Decimal(value) if value not in (None, "") else Decimal(0)
    except InvalidOperation:
        raise SourceFileError(source, f"segment {pos} ({tag}): {value!r} is not a number") from None


def _code_of(composite: str, comp: str) -> str | None:
    parts = composite.split(comp)
    return parts[1] if len(parts) > 1 and parts[1] else None


def _date(value: str | None) -> dt.date | None:
    if value and len(value) == 8 and value.isdigit():
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    return None


class _Parser:
    """A small state machine over the 835 loops; ``pos`` is the 1-based segment number."""

    def __init__(self, source: str, comp: str, segments: list[list[str]]) -> None:
        self.source, self.comp, self.segments = source, comp, segments
        self.out: list[Remittance] = []
        self.remit: Remittance | None = None
        self.claim: ClaimPayment | None = None
        self.line: ServiceLine | None = None
        self.party: RemitParty | None = None
        self.st_pos = 0
        self.pos = 0
        self.tag = ""

    def fail(self, problem: str) -> SourceFileError:
        return SourceFileError(self.source, f"segment {self.pos} ({self.tag}): {problem}")

    def run(self) -> list[Remittance]:
        seen = set()
        for pos, el in enumerate(self.segments, start=1):
            self.pos = pos
            self.tag = el[0].strip().upper()
            e = el + [""] * 25
            handler = getattr(self, f"_{self.tag}", None)
            if self.tag not in ("ISA", "GS", "ST", "GE", "IEA") and self.remit is None:
                raise self.fail("segment outside an ST*835 transaction set")
            if (
                self.remit is not None
                and self.tag not in ("ST", "BPR")
                and not self.remit.handling_code
            ):
                raise self.fail("BPR must follow ST")
            if handler is not None:
                handler(e)
            seen.add(self.tag)
        for needed in ("GS", "ST", "IEA"):
            if needed not in seen:
                raise SourceFileError(self.source, f"no {needed} segment (truncated file?)")
        if self.remit is not None:
            raise SourceFileError(self.source, "transaction set not closed by SE (truncated?)")
        return self.out

    def _money(self, v: str) -> Decimal:
        return _dec(v, self.source, self.pos, self.tag)

    # envelope
    def _ST(self, e: list[str]) -> None:
        if e[1] != "835":
            raise self.fail(f"transaction set {e[1]!r} is not an 835")
        if self.remit is not None:
            raise self.fail("ST before the previous transaction's SE")
        self.st_pos = self.pos
        self.remit = Remittance(e[2], "", Decimal(0), None, None, None, None, None)
        self.claim = self.line = self.party = None

    def _SE(self, e: list[str]) -> None:
        count = self.pos - self.st_pos + 1
        if e[1] != str(count):
            raise self.fail(f"SE01 says {e[1]} segments, the transaction has {count}")
        assert self.remit is not None
        if e[2] != self.remit.control_number:
            raise self.fail(f"SE02 {e[2]!r} does not match ST02 {self.remit.control_number!r}")
        self._check_balance()
        self.out.append(self.remit)
        self.remit = None

    # header
    def _BPR(self, e: list[str]) -> None:
        r = self._remit()
        if self.pos != self.st_pos + 1:
            raise self.fail("BPR must follow ST")
        r.handling_code, r.total_payment, r.credit_debit = e[1], self._money(e[2]), e[3] or None
        r.payment_method, r.payment_date = e[4] or None, _date(e[16])

    def _TRN(self, e: list[str]) -> None:
        r = self._remit()
        if self.claim is not None:
            raise self.fail("TRN after claim data; it belongs in the header")
        r.trace_number, r.trace_originator = e[2] or None, e[3] or None

    def _N1(self, e: list[str]) -> None:
        r = self._remit()
        if self.claim is not None:
            raise self.fail("N1 after claim data; payer/payee loops belong in the header")
        self.party = RemitParty(e[1], e[2] or None, e[3] or None, e[4] or None)
        if e[1] == "PR":
            r.payer = self.party
        elif e[1] == "PE":
            if r.payer is None:
                raise self.fail("payee N1*PE before payer N1*PR (loop 1000A comes first)")
            r.payee = self.party

    def _N4(self, e: list[str]) -> None:
        if self.party is not None and self.claim is None:
            self.party.city, self.party.state = e[1] or None, e[2] or None

    def _REF(self, e: list[str]) -> None:
        if self.line is not None:
            if e[1] == "6R":
                self.line.control_number = e[2]
        elif self.claim is None and self.party is not None:
            self.party.refs[e[1]] = e[2]

    def _DTM(self, e: list[str]) -> None:
        date = _date(e[2])
        if date is None:
            raise self.fail(f"DTM date {e[2]!r} is not CCYYMMDD")
        target = self.line or self.claim
        if target is not None:
            target.dates[e[1]] = date
        elif e[1] == "405":
            self._remit().production_date = date

    # claim loop 2100
    def _CLP(self, e: list[str]) -> None:
        r = self._remit()
        if r.payer is None or r.payee is None:
            raise self.fail("CLP before the payer (N1*PR) and payee (N1*PE) loops")
        if not e[1] or not e[2]:
            raise self.fail("CLP01 claim id and CLP02 status are required")
        self.claim = ClaimPayment(
            e[1], e[2], self._money(e[3]), self._money(e[4]), self._money(e[5]),
            e[6] or None, e[7] or None, e[8] or None, e[9] or None, e[11] or None,
            self._money(e[12]) if e[12] else None,
        )  # fmt: skip
        r.claims.append(self.claim)
        self.line = self.party = None

    def _CAS(self, e: list[str]) -> None:
        target = self.line or self.claim
        if target is None:
            raise self.fail("CAS outside a claim (CLP) or service (SVC) loop")
        if e[1] not in ("CO", "OA", "PI", "PR", "CR"):
            raise self.fail(f"CAS01 {e[1]!r} is not a claim adjustment group code")
        for i in range(2, 20, 3):
            if e[i]:
                qty = self._money(e[i + 2]) if e[i + 2] else None
                target.adjustments.append(Adjustment(e[1], e[i], self._money(e[i + 1]), qty))

    def _NM1(self, e: list[str]) -> None:
        if self.claim is None:
            raise self.fail("NM1 outside a claim (CLP) loop")
        self.claim.parties.append(
            RemitParty(e[1], e[3] or None, e[8] or None, e[9] or None, e[4] or None)
        )

    def _MOA(self, e: list[str]) -> None:
        self._claim().rarcs.extend(c for c in e[3:8] if c)

    def _MIA(self, e: list[str]) -> None:
        self._claim().rarcs.extend(c for c in [e[5], *e[20:25]] if c)

    # service loop 2110
    def _SVC(self, e: list[str]) -> None:
        claim = self._claim()
        parts = e[1].split(self.comp)
        if len(parts) < 2 or not parts[1]:
            raise self.fail(f"SVC01 {e[1]!r} is not qualifier{self.comp}code")
        self.line = ServiceLine(
            parts[0], parts[1], [m for m in parts[2:6] if m], self._money(e[2]),
            self._money(e[3]), e[4] or None, self._money(e[5]) if e[5] else None,
            _code_of(e[6], self.comp),
        )  # fmt: skip
        claim.lines.append(self.line)

    def _AMT(self, e: list[str]) -> None:
        if self.line is not None and e[1] == "B6":
            self.line.allowed = self._money(e[2])

    def _LQ(self, e: list[str]) -> None:
        if self.line is None:
            raise self.fail("LQ outside a service (SVC) loop")
        if e[1] == "HE":
            self.line.rarcs.append(e[2])

    def _PLB(self, e: list[str]) -> None:
        r = self._remit()
        self.claim = self.line = None
        for i in range(3, 15, 2):
            if e[i]:
                reason, _, ref = e[i].partition(self.comp)
                adj = ProviderAdjustment(e[1], reason, ref or None, self._money(e[i + 1]))
                r.provider_adjustments.append(adj)

    def _remit(self) -> Remittance:
        assert self.remit is not None
        return self.remit

    def _claim(self) -> ClaimPayment:
        if self.claim is None:
            raise self.fail("segment outside a claim (CLP) loop")
        return self.claim

    def _check_balance(self) -> None:
        """CLP03 - CLP04 = every CAS of the claim and its lines; on each line SVC02 - SVC03 =
        its own CAS; BPR02 = the claims paid less the provider adjustments."""
        r = self._remit()
        for c in r.claims:
            cas = sum((a.amount for _, a in c.all_adjustments()), Decimal(0))
            if c.charge - c.paid != cas and c.status != "22":
                r.warnings.append(
                    f"claim {c.claim_id}: charge {c.charge} - paid {c.paid} != CAS total {cas}"
                )
            for n, line in enumerate(c.lines, start=1):
                line_cas = sum((a.amount for a in line.adjustments), Decimal(0))
                if line.charge - line.paid != line_cas and c.status != "22":
                    r.warnings.append(
                        f"claim {c.claim_id} line {n} ({line.code}): charge {line.charge} - "
                        f"paid {line.paid} != line CAS total {line_cas}"
                    )
        paid = sum((c.paid for c in r.claims), Decimal(0))
        plb = sum((a.amount for a in r.provider_adjustments), Decimal(0))
        if paid - plb != r.total_payment:
            r.warnings.append(
                f"BPR02 {r.total_payment} != claims paid {paid} - provider adjustments {plb}"
            )


# --------------------------------------------------------------------------- denials


@dataclass
class DenialLink:
    """One non-routine adjustment traced to the submitted claim and a scrubber rule family."""

    claim_id: str
    claim_status: str
    group: str
    carc: str
    amount: Decimal
    carc_text: str
    line: int | None  # 1-based submitted line number; None for a claim-level CAS
    code: str | None
    rarcs: list[str]
    family: RuleFamily | None
    matched_claim: bool
    findings: list[str] = field(default_factory=list)  # rule ids that flagged it
    caught: bool | None = None  # None when no findings were given

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["amount"] = str(self.amount)
        return out


def link_denials(
    remit: Remittance | Iterable[Remittance],
    claims: Iterable[ClaimEncounter],
    findings: Mapping[str, Iterable[Any]] | None = None,
) -> list[DenialLink]:
    """Trace every denial-type adjustment back to the claim and line we submitted.

    ``findings`` maps an encounter id to the scrubber findings (objects with ``rule_id``,
    ``carc`` and ``lines``, e.g. :class:`medcoder.edits.findings.Finding`) for that claim,
    or to its ``ScrubReport``;
    a link is ``caught`` when a finding of the CARC's family (or carrying the same CARC)
    touched the same line. Routine adjustments (contractual CO-45, deductible/coinsurance/
    copay PR-1/2/3, sequestration 253) are not denials and are skipped.
    """
    remits = [remit] if isinstance(remit, Remittance) else list(remit)
    by_id = {e.id: e for e in claims}
    out: list[DenialLink] = []
    for r in remits:
        for c in r.claims:
            enc = by_id.get(c.claim_id)
            for svc, adj in c.all_adjustments():
                if adj.carc in ROUTINE_CARCS or adj.amount == 0:
                    continue
                line_no = _match_line(svc, c, enc) if svc is not None else None
                link = DenialLink(
                    c.claim_id, c.status, adj.group, adj.carc, adj.amount,
                    CARC_TEXT.get(adj.carc, "see the X12 CARC list"), line_no,
                    svc.code if svc else None, (svc.rarcs if svc else []) + c.rarcs,
                    CARC_RULE_FAMILIES.get(adj.carc), enc is not None,
                )  # fmt: skip
                if findings is not None:
                    given = findings.get(c.claim_id, ())
                    given = getattr(given, "findings", given)  # a ScrubReport works too
                    link.findings = _matching_findings(link, given)
                    link.caught = bool(link.findings)
                out.append(link)
    return out


def _match_line(svc: ServiceLine, claim: ClaimPayment, enc: ClaimEncounter | None) -> int | None:
    """The line whose REF*6R control number the 835 returns (as medcoder sends it: the line's
    own, else ``<claim id>-<n>``), else a trailing line number, else code+modifiers in order."""
    lines = (enc.lines or []) if enc else []
    if svc.control_number and enc is not None:
        for n, line in enumerate(lines, start=1):
            if (line.control_number or f"{enc.id}-{n}") == svc.control_number:
                return n
    if svc.control_number and svc.control_number.rsplit("-", 1)[-1].isdigit():
        n = int(svc.control_number.rsplit("-", 1)[-1])
        if 1 <= n <= len(lines):
            return n
    earlier = claim.lines[: claim.lines.index(svc)]
    taken = {_match_line(s, claim, enc) for s in earlier}
    code = svc.original_code or svc.code
    for n, line in enumerate(lines, start=1):
        same_mods = not svc.modifiers or svc.modifiers == line.modifiers[: len(svc.modifiers)]
        if n not in taken and line.code == code and same_mods:
            return n
    return None


def _matching_findings(link: DenialLink, findings: Iterable[Any]) -> list[str]:
    ids = []
    for f in findings:
        carc = (getattr(f, "carc", None) or "").split("-")[-1]
        in_family = link.family is not None and any(
            f.rule_id.startswith(p) for p in link.family.rule_prefixes
        )
        lines = tuple(getattr(f, "lines", ()) or ())
        same_line = link.line is None or not lines or link.line in lines
        if (carc == link.carc or in_family) and same_line:
            ids.append(f.rule_id)
    return ids


# --------------------------------------------------------------------------- summary


def summarize_remit(path: str | Path) -> dict[str, Any]:
    """A JSON-ready summary of an 835 file for the CLI: totals, statuses, CARCs, RARCs, and
    each claim with its lines (``claim_detail``)."""
    remits = read_835(path)
    claims = [c for r in remits for c in r.claims]
    carcs: dict[str, dict[str, Any]] = {}
    rarcs: dict[str, int] = {}
    for c in claims:
        for _, a in c.all_adjustments():
            row = carcs.setdefault(
                a.label, {"count": 0, "amount": Decimal(0), "text": CARC_TEXT.get(a.carc)}
            )
            row["count"] += 1
            row["amount"] += a.amount
        for code in c.rarcs + [x for line in c.lines for x in line.rarcs]:
            rarcs[code] = rarcs.get(code, 0) + 1
    statuses: dict[str, int] = {}
    for c in claims:
        statuses[c.status_text] = statuses.get(c.status_text, 0) + 1

    def total(attr: str) -> str:
        return str(sum((getattr(c, attr) for c in claims), Decimal(0)))

    return {
        "file": str(path),
        "transactions": len(remits),
        "payers": sorted({r.payer.name or "" for r in remits if r.payer}),
        "payees": sorted({r.payee.name or "" for r in remits if r.payee}),
        "payments": [
            {
                "trace": r.trace_number,
                "amount": str(r.total_payment),
                "method": r.payment_method,
                "date": r.payment_date.isoformat() if r.payment_date else None,
            }
            for r in remits
        ],
        "claims": len(claims),
        "claim_status": statuses,
        "charged": total("charge"),
        "paid": total("paid"),
        "patient_responsibility": total("patient_responsibility"),
        "denied_claims": [c.claim_id for c in claims if c.denied],
        "adjustments": {k: {**v, "amount": str(v["amount"])} for k, v in sorted(carcs.items())},
        "rarcs": dict(sorted(rarcs.items())),
        "provider_adjustments": [
            {"reason": a.reason, "reference": a.reference, "amount": str(a.amount)}
            for r in remits
            for a in r.provider_adjustments
        ],
        "claim_detail": [_claim_detail(c) for c in claims],
        "warnings": [w for r in remits for w in r.warnings],
    }


def _adjustments(adjustments: Iterable[Adjustment]) -> list[str]:
    return [f"{a.label} {a.amount}" for a in adjustments]


def _claim_detail(c: ClaimPayment) -> dict[str, Any]:
    return {
        "claim_id": c.claim_id,
        "status": c.status_text,
        "payer_claim_control": c.payer_claim_control,
        "charge": str(c.charge),
        "paid": str(c.paid),
        "patient_responsibility": str(c.patient_responsibility),
        "adjustments": _adjustments(c.adjustments),
        "rarcs": list(c.rarcs),
        "lines": [
            {
                "line_control": line.control_number,
                "code": line.code,
                "modifiers": list(line.modifiers),
                "revenue_code": line.revenue_code,
                "charge": str(line.charge),
                "allowed": str(line.allowed) if line.allowed is not None else None,
                "paid": str(line.paid),
                "adjustments": _adjustments(line.adjustments),
                "rarcs": list(line.rarcs),
            }
            for line in c.lines
        ],
    }


#: Columns of the posting file: one row per service line (or per claim without lines).
POSTING_COLUMNS = (
    "payment_trace", "payment_date", "payer", "claim_id", "payer_claim_control",
    "claim_status", "line_control", "code", "modifiers", "revenue_code", "charge",
    "allowed", "paid", "patient_responsibility", "contractual", "other_adjustments", "rarcs",
)  # fmt: skip


def posting_rows(remits: Iterable[Remittance]) -> list[dict[str, str]]:
    """What a payment poster enters per line: paid, allowed, patient responsibility (PR
    adjustments), contractual write-off (CO adjustments) and the rest, with their reasons.
    Claim-level adjustments go on a row of their own (line_control empty)."""
    rows: list[dict[str, str]] = []
    for r in remits:
        for c in r.claims:
            base = {
                "payment_trace": r.trace_number or "",
                "payment_date": r.payment_date.isoformat() if r.payment_date else "",
                "payer": (r.payer.name if r.payer else None) or "",
                "claim_id": c.claim_id,
                "payer_claim_control": c.payer_claim_control or "",
                "claim_status": c.status_text,
            }
            for line in c.lines:
                rows.append(
                    {
                        **base,
                        **_posting_amounts(line.adjustments),
                        "line_control": line.control_number or "",
                        "code": line.code,
                        "modifiers": " ".join(line.modifiers),
                        "revenue_code": line.revenue_code or "",
                        "charge": str(line.charge),
                        "allowed": "" if line.allowed is None else str(line.allowed),
                        "paid": str(line.paid),
                        "rarcs": " ".join(line.rarcs + c.rarcs),
                    }
                )
            if c.adjustments or not c.lines:
                rows.append(
                    {
                        **base,
                        **_posting_amounts(c.adjustments),
                        "line_control": "",
                        "code": "",
                        "modifiers": "",
                        "revenue_code": "",
                        "charge": "" if c.lines else str(c.charge),
                        "allowed": "",
                        "paid": "" if c.lines else str(c.paid),
                        "rarcs": " ".join(c.rarcs),
                    }
                )
    return rows


def _posting_amounts(adjustments: Iterable[Adjustment]) -> dict[str, str]:
    adjustments = list(adjustments)
    pr = sum((a.amount for a in adjustments if a.group == "PR"), Decimal(0))
    co = sum((a.amount for a in adjustments if a.group == "CO"), Decimal(0))
    other = [a for a in adjustments if a.group not in ("PR", "CO")]
    return {
        "patient_responsibility": str(pr),
        "contractual": str(co),
        "other_adjustments": " ".join(f"{a.label}:{a.amount}" for a in other),
    }


def posting_csv(remits: Iterable[Remittance]) -> str:
    """The posting rows as CSV text (header first)."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=POSTING_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(posting_rows(remits))
    return out.getvalue()
