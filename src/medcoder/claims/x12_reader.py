"""Read X12 837 claims (professional or institutional, 4010 or 5010) into plain records.

This is a lenient reader, not a validator (use :func:`medcoder.claims.x12_validate.validate_x12`
for that): real files arrive with a byte order mark, line breaks or indentation between
segments, mixed version strings in GS08/ST03 or short ISA padding, and we still want their
claims. The delimiters come from the ISA segment itself (ISA element separator at position 4,
ISA16 component separator, the character after ISA16 as the segment terminator, ISA11 the
repetition separator in 5010), as the X12 control standard prescribes.

The reader follows the HL hierarchy (HL03 20 billing provider, 22 subscriber, 23 patient) and
the 2300/2400 claim and line loops, picking the fields the coding pipeline cares about.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

from medcoder.errors import SourceFileError

#: HI composite qualifiers that carry diagnoses (5010 A-prefixed ICD-10, 4010 ICD-9).
DIAGNOSIS_QUALIFIERS = frozenset({"ABK", "ABF", "ABJ", "APR", "ABN", "BK", "BF", "BJ", "PR", "BN"})
#: HI composite qualifiers that carry procedures (ICD-10-PCS BBR/BBQ, ICD-9 BR/BQ, CPT CAH).
PROCEDURE_QUALIFIERS = frozenset({"BBR", "BBQ", "BR", "BQ", "CAH"})


@dataclass
class ReadParty:
    """A person or organisation from an NM1 (plus DMG for people)."""

    entity: str
    id: str | None = None
    id_qualifier: str | None = None
    last_name: str | None = None
    first_name: str | None = None
    birth_date: dt.date | None = None
    sex: str | None = None


@dataclass
class ReadDiagnosis:
    qualifier: str
    code: str
    poa: str | None = None


@dataclass
class ReadProcedure:
    qualifier: str
    code: str
    date: dt.date | None = None


@dataclass
class ReadLine:
    """One 2400 service line (SV1 professional or SV2 institutional)."""

    number: int
    code: str | None = None
    code_qualifier: str | None = None
    modifiers: list[str] = field(default_factory=list)
    charge: Decimal | None = None
    unit: str | None = None
    units: Decimal | None = None
    dx_pointers: list[int] = field(default_factory=list)
    revenue_code: str | None = None
    place_of_service: str | None = None
    service_date: dt.date | None = None
    service_date_end: dt.date | None = None
    ndc: str | None = None


@dataclass
class ReadClaim:
    """One 2300 claim with the parties in force when it was read."""

    version: str | None
    claim_id: str
    total_charge: Decimal | None
    billing_provider: ReadParty | None = None
    subscriber: ReadParty | None = None
    patient: ReadParty | None = None
    payer: ReadParty | None = None
    filing_indicator: str | None = None
    relationship: str | None = None
    facility_code: str | None = None
    facility_qualifier: str | None = None
    frequency_code: str | None = None
    diagnoses: list[ReadDiagnosis] = field(default_factory=list)
    procedures: list[ReadProcedure] = field(default_factory=list)
    other_codes: list[tuple[str, str]] = field(default_factory=list)
    lines: list[ReadLine] = field(default_factory=list)
    rendering_provider: ReadParty | None = None
    attending_provider: ReadParty | None = None
    referring_provider: ReadParty | None = None
    statement_from: dt.date | None = None
    statement_to: dt.date | None = None
    admission_date: dt.date | None = None
    discharge_status: str | None = None
    prior_authorization: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def type_of_bill(self) -> str | None:
        """UB-04 type of bill rebuilt from CLM05 (institutional claims only)."""
        if self.facility_qualifier == "A" and self.facility_code and self.frequency_code:
            return f"0{self.facility_code}{self.frequency_code}"
        return None


@dataclass(frozen=True)
class Delimiters:
    element: str
    component: str
    segment: str
    repetition: str | None


def split_segments(text: str) -> tuple[Delimiters, list[list[str]]]:
    """Delimiters from the ISA and the segments as element lists (whitespace-trimmed)."""
    start = text.find("ISA")
    if start < 0:
        raise SourceFileError("<x12 text>", "no ISA segment: not an X12 interchange")
    body = text[start:]
    element = body[3]
    isa_fields = body.split(element, 16)
    if len(isa_fields) < 17 or len(isa_fields[16]) < 2:
        raise SourceFileError("<x12 text>", "ISA segment is truncated")
    component, segment = isa_fields[16][0], isa_fields[16][1]
    repetition = isa_fields[11] if isa_fields[12] >= "00501" and len(isa_fields[11]) == 1 else None
    if component == repetition:
        # A broken ISA (seen in the wild) declares one character for both; the data then
        # almost always uses the conventional ':' for composites, so read it that way.
        component = ":" if repetition != ":" else component
        repetition = None
    delims = Delimiters(element, component, segment, repetition)
    segments = []
    for raw in body.split(segment):
        raw = raw.strip()
        if raw:
            segments.append([e.strip() for e in raw.split(element)])
    return delims, segments


def read_837(source: str | bytes) -> list[ReadClaim]:
    """Every 2300 claim in the interchange(s), in file order (bytes are decoded first)."""
    text = decode_x12(source) if isinstance(source, bytes) else source
    delims, segments = split_segments(text.lstrip("\ufeff"))
    return _Reader(delims).run(segments)


def decode_x12(data: bytes) -> str:
    """Decode an X12 file: UTF-8 (with or without BOM), UTF-16 (some Windows exports, often
    without a BOM, recognised by the NUL bytes around ``ISA``), else Latin-1 so that no byte of
    the extended character set fails."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if data.startswith(b"I\x00S\x00A\x00"):
        return data.decode("utf-16-le")
    if data.startswith(b"\x00I\x00S\x00A"):
        return data.decode("utf-16-be")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


class _Reader:
    def __init__(self, delims: Delimiters) -> None:
        self.d = delims
        self.claims: list[ReadClaim] = []
        self.version: str | None = None
        self.billing: ReadParty | None = None
        self.subscriber: ReadParty | None = None
        self.patient: ReadParty | None = None
        self.payer: ReadParty | None = None
        self.filing: str | None = None
        self.relationship: str | None = None
        self.claim: ReadClaim | None = None
        self.line: ReadLine | None = None
        self.last_party: ReadParty | None = None

    def run(self, segments: list[list[str]]) -> list[ReadClaim]:
        for elements in segments:
            seg_id = elements[0].upper()
            handler = getattr(self, f"_seg_{seg_id}", None)
            if handler is not None:
                handler(_Elements(elements))
        return self.claims

    # --- envelope and hierarchy ---

    def _seg_GS(self, e: _Elements) -> None:
        self.version = e.get(8)

    def _seg_ST(self, e: _Elements) -> None:
        self.version = e.get(3) or self.version
        self.claim = self.line = None

    def _seg_HL(self, e: _Elements) -> None:
        self.claim = self.line = None
        level = e.get(3)
        if level == "20":
            self.billing = self.subscriber = self.patient = self.payer = None
        elif level == "22":
            self.subscriber = self.patient = self.payer = None
            self.filing = self.relationship = None
        elif level == "23":
            self.patient = None

    def _seg_SBR(self, e: _Elements) -> None:
        self.relationship = e.get(2)
        self.filing = e.get(9)

    def _seg_PAT(self, e: _Elements) -> None:
        self.relationship = e.get(1) or self.relationship

    def _seg_NM1(self, e: _Elements) -> None:
        party = ReadParty(
            entity=e.get(1) or "",
            last_name=e.get(3),
            first_name=e.get(4),
            id_qualifier=e.get(8),
            id=e.get(9),
        )
        self.last_party = party
        entity = party.entity
        if self.line is not None:
            return  # 2420x line-level parties are not summarised
        if self.claim is not None:
            if entity == "82":
                self.claim.rendering_provider = party
            elif entity == "71":
                self.claim.attending_provider = party
            elif entity == "DN":
                self.claim.referring_provider = party
            return
        if entity == "85":
            self.billing = party
        elif entity == "IL":
            self.subscriber = party
        elif entity == "QC":
            self.patient = party
        elif entity == "PR":
            self.payer = party

    def _seg_DMG(self, e: _Elements) -> None:
        if self.last_party is not None and e.get(1) == "D8":
            self.last_party.birth_date = _date(e.get(2))
            self.last_party.sex = e.get(3)

    # --- claim ---

    def _seg_CLM(self, e: _Elements) -> None:
        facility = e.components(5, self.d.component)
        patient = self.patient or (replace(self.subscriber) if self.subscriber else None)
        self.claim = ReadClaim(
            version=self.version,
            claim_id=e.get(1) or "",
            total_charge=_decimal(e.get(2)),
            billing_provider=self.billing,
            subscriber=self.subscriber,
            patient=patient,
            payer=self.payer,
            filing_indicator=self.filing,
            relationship=self.relationship,
            facility_code=_at(facility, 0),
            facility_qualifier=_at(facility, 1),
            frequency_code=_at(facility, 2),
        )
        self.line = None
        self.claims.append(self.claim)

    def _seg_DTP(self, e: _Elements) -> None:
        qualifier, fmt, value = e.get(1), e.get(2), e.get(3)
        start, end = _period(fmt, value)
        if self.line is not None:
            if qualifier == "472":
                self.line.service_date, self.line.service_date_end = start, end
        elif self.claim is not None:
            if qualifier == "434":
                self.claim.statement_from, self.claim.statement_to = start, end
            elif qualifier == "435":
                self.claim.admission_date = start

    def _seg_CL1(self, e: _Elements) -> None:
        if self.claim is not None:
            self.claim.discharge_status = e.get(3)

    def _seg_REF(self, e: _Elements) -> None:
        if self.claim is not None and self.line is None and e.get(1) == "G1":
            self.claim.prior_authorization = e.get(2)

    def _seg_HI(self, e: _Elements) -> None:
        if self.claim is None:
            return
        for index in range(1, len(e.values)):
            parts = e.components(index, self.d.component)
            if len(parts) < 2 or not parts[1]:
                continue
            qualifier, code = parts[0].upper(), parts[1]
            if qualifier in DIAGNOSIS_QUALIFIERS:
                self.claim.diagnoses.append(ReadDiagnosis(qualifier, code, _at(parts, 8)))
            elif qualifier in PROCEDURE_QUALIFIERS:
                date = _date(_at(parts, 3)) if _at(parts, 2) == "D8" else None
                self.claim.procedures.append(ReadProcedure(qualifier, code, date))
            else:
                self.claim.other_codes.append((qualifier, code))

    # --- lines ---

    def _seg_LX(self, e: _Elements) -> None:
        if self.claim is None:
            return
        try:
            number = int(e.get(1) or len(self.claim.lines) + 1)
        except ValueError:
            number = len(self.claim.lines) + 1
            self.claim.warnings.append(f"LX {e.get(1)!r} is not a number")
        self.line = ReadLine(number=number)
        self.claim.lines.append(self.line)

    def _seg_SV1(self, e: _Elements) -> None:
        if self.line is None:
            return
        self._procedure(e.components(1, self.d.component))
        self.line.charge = _decimal(e.get(2))
        self.line.unit = e.get(3)
        self.line.units = _decimal(e.get(4))
        self.line.place_of_service = e.get(5)
        pointers = e.components(7, self.d.component)
        self.line.dx_pointers = [int(p) for p in pointers if p.isdigit()]

    def _seg_SV2(self, e: _Elements) -> None:
        if self.line is None:
            return
        self.line.revenue_code = e.get(1)
        self._procedure(e.components(2, self.d.component))
        self.line.charge = _decimal(e.get(3))
        self.line.unit = e.get(4)
        self.line.units = _decimal(e.get(5))

    def _seg_LIN(self, e: _Elements) -> None:
        if self.line is not None and e.get(2) == "N4":
            self.line.ndc = e.get(3)

    def _procedure(self, parts: list[str]) -> None:
        assert self.line is not None
        if len(parts) >= 2 and parts[1]:
            self.line.code_qualifier, self.line.code = parts[0], parts[1]
            self.line.modifiers = [m for m in parts[2:6] if m]


class _Elements:
    """Element access by X12 position (1-based); missing elements read as None."""

    def __init__(self, values: list[str]) -> None:
        self.values = values

    def get(self, position: int) -> str | None:
        if position < len(self.values) and self.values[position] != "":
            return self.values[position]
        return None

    def components(self, position: int, separator: str) -> list[str]:
        value = self.get(position)
        return value.split(separator) if value else []


def _at(parts: list[str], index: int) -> str | None:
    return parts[index] if index < len(parts) and parts[index] != "" else None


def _decimal(value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def _date(value: str | None) -> dt.date | None:
    if not value or len(value) != 8:
        return None
    try:
        return dt.datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        return None


def _period(fmt: str | None, value: str | None) -> tuple[dt.date | None, dt.date | None]:
    """D8 -> (date, date); RD8 -> (start, end); DT (with time) -> its date part."""
    if not value:
        return None, None
    if fmt == "RD8" and "-" in value:
        start, end = value.split("-", 1)
        return _date(start), _date(end)
    day = _date(value[:8])
    return day, day
