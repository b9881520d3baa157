"""X12 5010 building blocks shared by the 837P and 837I writers.

Holds the delimiters, a small segment builder and the
interchange envelope (ISA/GS/ST ... SE/GE/IEA). The envelope follows the control segments of
the pyx12 map ``x12.control.00501.xml``: ISA is fixed width (106 characters with its
terminator, which is how receivers, and pyx12, find the delimiters), ISA13/IEA02, GS06/GE02 and
ST02/SE02 carry the same control number, SE01 counts the segments from ST to SE inclusive and
GE01/IEA01 count the transaction sets and groups.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal

from medcoder.claims.errors import ClaimError
from medcoder.claims.model import Address, ClaimEncounter, Provider
from medcoder.claims.npi import npi_is_valid

SEGMENT = "~"
ELEMENT = "*"
COMPONENT = ":"
REPETITION = "^"
DELIMITERS = SEGMENT + ELEMENT + COMPONENT + REPETITION

VERSION_837P = "005010X222A1"
VERSION_837I = "005010X223A2"

Element = str | Sequence[str | None] | None

#: SBR09 claim filing indicator codes allowed by both 5010 837 guides.
FILING_INDICATORS = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "16",
        "17",
        "AM",
        "BL",
        "CH",
        "CI",
        "DS",
        "FI",
        "HM",
        "LM",
        "MA",
        "MB",
        "MC",
        "OF",
        "TV",
        "VA",
        "WC",
        "ZZ",
    ]
)


class Segments:
    """Collects segments of one transaction set; elements are joined with the delimiters.

    Trailing empty elements and components are dropped, as X12 syntax requires (a segment
    or composite must not end with an empty element separator).
    """

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, seg_id: str, *elements: Element) -> None:
        rendered = [_render(e) for e in elements]
        while rendered and rendered[-1] == "":
            rendered.pop()
        self.items.append(ELEMENT.join([seg_id, *rendered]))

    def __len__(self) -> int:
        return len(self.items)


def _render(element: Element) -> str:
    if element is None:
        return ""
    if isinstance(element, str):
        return element
    parts = ["" if c is None else c for c in element]
    while parts and parts[-1] == "":
        parts.pop()
    return COMPONENT.join(parts)


# --- value formatting -------------------------------------------------------------------

_UNSAFE = re.compile(r"[~*:^\r\n\t]+")
#: Letters NFKD does not decompose into a base letter plus marks.
_LETTERS = str.maketrans(
    {
        "ß": "SS",
        "Æ": "AE",
        "æ": "AE",
        "Ø": "O",
        "ø": "O",
        "Œ": "OE",
        "œ": "OE",
        "Ł": "L",
        "ł": "L",
        "Đ": "D",
        "đ": "D",
        "Þ": "TH",
        "þ": "TH",
        "ı": "I",
        "’": "'",
        "‘": "'",
    }
)


def ascii_text(value: str) -> str:
    """Latin letters with accents as their base letters (Muñoz -> MUNOZ, Zoë -> ZOE).

    X12 carries the basic and extended character sets, which have no accented letters, and
    payers match names against the card in plain capitals; a name is transliterated rather
    than refused. Letters of other scripts stay as they are (and are refused by ``text``).
    """
    decomposed = unicodedata.normalize("NFKD", value.translate(_LETTERS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def text(value: str | None, *, field: str, max_len: int, encounter_id: str | None = None) -> str:
    """A free-text element (name, address): transliterated to ASCII, delimiters removed,
    upper case, length checked.

    Over-long values raise rather than being cut, so a claim never carries a silently
    shortened name or address; so do characters that have no ASCII form.
    """
    if value is None:
        return ""
    clean = " ".join(_UNSAFE.sub(" ", ascii_text(value)).split()).upper()
    if not clean.isascii():
        raise ClaimError(
            field,
            f"{value!r} has characters outside the X12 character set; write it in Latin letters",
            encounter_id=encounter_id,
        )
    if len(clean) > max_len:
        raise ClaimError(
            field,
            f"{len(clean)} characters exceed the X12 maximum of {max_len}",
            encounter_id=encounter_id,
        )
    return clean


def identifier(value: str, *, field: str, max_len: int, encounter_id: str | None = None) -> str:
    """An identifier element (member id, claim id): must not contain delimiters or be empty."""
    clean = value.strip()
    if not clean:
        raise ClaimError(field, "is required", encounter_id=encounter_id)
    if any(ch in clean for ch in DELIMITERS) or "\n" in clean:
        raise ClaimError(field, f"{clean!r} contains an X12 delimiter", encounter_id=encounter_id)
    if len(clean) > max_len:
        raise ClaimError(
            field,
            f"{clean!r} exceeds the X12 maximum of {max_len} characters",
            encounter_id=encounter_id,
        )
    return clean


def d8(value: dt.date) -> str:
    """CCYYMMDD, the D8 date format."""
    return value.strftime("%Y%m%d")


def rd8(start: dt.date, end: dt.date) -> str:
    """CCYYMMDD-CCYYMMDD, the RD8 range format."""
    return f"{d8(start)}-{d8(end)}"


def amount(value: Decimal) -> str:
    """An X12 R (decimal) amount: no trailing zeros, no exponent, at most two decimals."""
    quantized = Decimal(value).quantize(Decimal("0.01"))
    rendered = format(quantized.normalize(), "f")
    return "0" if rendered in ("-0", "") else rendered


def quantity(value: Decimal) -> str:
    """An X12 R quantity (units): no trailing zeros, no exponent."""
    rendered = format(Decimal(value).normalize(), "f")
    return rendered


def zip_code(value: str) -> str:
    """ZIP or ZIP+4 without the hyphen (N403 is 5 or 9 digits)."""
    return value.replace("-", "")


def icd_code(value: str) -> str:
    """ICD codes go on the HI segment without the decimal point (5010 IG, HI0x-2)."""
    return value.replace(".", "").strip().upper()


# --- envelope ---------------------------------------------------------------------------


def envelope(
    body: Segments,
    *,
    version: str,
    sender_id: str,
    receiver_id: str,
    control_number: int,
    created: dt.datetime,
    usage: str = "T",
) -> str:
    """Wrap a transaction body (BHT onward) in ST/SE, GS/GE and ISA/IEA.

    One interchange, one functional group (GS01 ``HC``), one transaction set; the same
    control number is used at all three levels so an acknowledgement (999/TA1) can be
    traced to the claim file at any level.
    """
    if not 0 < control_number <= 999_999_999:
        raise ClaimError("control_number", f"{control_number} is not between 1 and 999999999")
    if usage not in ("P", "T"):
        raise ClaimError("usage", f"{usage!r} must be P (production) or T (test)")
    sender = identifier(sender_id, field="sender_id", max_len=15)
    receiver = identifier(receiver_id, field="receiver_id", max_len=15)
    for name, value in (("sender_id", sender), ("receiver_id", receiver)):
        if len(value) < 2:  # GS02/GS03 and 1000A/1000B NM109 have a minimum length of 2
            raise ClaimError(name, f"{value!r} is shorter than the X12 minimum of 2 characters")
    isa = ELEMENT.join(
        [
            "ISA",
            "00",
            " " * 10,
            "00",
            " " * 10,
            "ZZ",
            sender.ljust(15),
            "ZZ",
            receiver.ljust(15),
            created.strftime("%y%m%d"),
            created.strftime("%H%M"),
            REPETITION,
            "00501",
            f"{control_number:09d}",
            "0",
            usage,
            COMPONENT,
        ]
    )
    st_control = f"{control_number:04d}"
    segments = [
        isa,
        ELEMENT.join(
            [
                "GS",
                "HC",
                sender,
                receiver,
                created.strftime("%Y%m%d"),
                created.strftime("%H%M"),
                str(control_number),
                "X",
                version,
            ]
        ),
        ELEMENT.join(["ST", "837", st_control, version]),
        *body.items,
        ELEMENT.join(["SE", str(len(body) + 2), st_control]),
        ELEMENT.join(["GE", "1", str(control_number)]),
        ELEMENT.join(["IEA", "1", f"{control_number:09d}"]),
    ]
    return join_segments(segments)


def join_segments(segments: Iterable[str]) -> str:
    return "".join(segment + SEGMENT for segment in segments)


# --- loop helpers shared by the 837P and 837I claim loops -------------------------------


def provider_nm1(
    seg: Segments,
    entity: str,
    provider: Provider,
    field: str,
    eid: str,
    *,
    organisation: bool = False,
) -> None:
    """NM1 with NM108 XX + NPI; a person (first/last name) or an organisation (name).

    ``organisation`` forces NM102 2 (the 837I 2010AA billing provider must be a non-person
    entity), using ``name`` even when a person's name is also present.
    """
    if not provider.npi:
        raise ClaimError(f"{field}.npi", "an NPI is required", encounter_id=eid)
    if not npi_is_valid(provider.npi):
        raise ClaimError(
            f"{field}.npi", f"{provider.npi!r} fails the NPI Luhn check digit", encounter_id=eid
        )
    if organisation and not provider.name:
        raise ClaimError(
            f"{field}.name", "an organisation name is required (NM102 must be 2)", encounter_id=eid
        )
    if provider.last_name and not organisation:
        seg.add(
            "NM1",
            entity,
            "1",
            text(provider.last_name, field=f"{field}.last_name", max_len=60, encounter_id=eid),
            text(provider.first_name, field=f"{field}.first_name", max_len=35, encounter_id=eid),
            None,
            None,
            None,
            "XX",
            provider.npi,
        )
    elif provider.name:
        seg.add(
            "NM1",
            entity,
            "2",
            text(provider.name, field=f"{field}.name", max_len=60, encounter_id=eid),
            None,
            None,
            None,
            None,
            "XX",
            provider.npi,
        )
    else:
        raise ClaimError(
            f"{field}.name",
            "a name (organisation) or last_name (person) is required",
            encounter_id=eid,
        )


def person_name(provider: Provider) -> str | None:
    if provider.last_name:
        return f"{provider.first_name or ''} {provider.last_name}".strip()
    return None


def address(seg: Segments, addr: Address, field: str, eid: str) -> None:
    """N3 (line 1, line 2) and N4 (city, state, ZIP or ZIP+4)."""
    seg.add(
        "N3",
        text(addr.line1, field=f"{field}.line1", max_len=55, encounter_id=eid),
        text(addr.line2, field=f"{field}.line2", max_len=55, encounter_id=eid) or None,
    )
    seg.add(
        "N4",
        text(addr.city, field=f"{field}.city", max_len=30, encounter_id=eid),
        addr.state.upper(),
        zip_code(addr.zip),
    )


def taxonomy(value: str, field: str, eid: str) -> str:
    """A NUCC taxonomy code is 10 characters (PRV03)."""
    clean = value.strip().upper()
    if len(clean) != 10 or not clean.isalnum():
        raise ClaimError(
            field, f"{value!r} is not a 10-character NUCC taxonomy code", encounter_id=eid
        )
    return clean


def require_lines(enc: ClaimEncounter) -> None:
    """Loop 2400 is required (at least one service line); charges must not be negative."""
    if not enc.lines:
        raise ClaimError(
            "lines", "at least one service line is required (loop 2400)", encounter_id=enc.id
        )
    for index, line in enumerate(enc.lines):
        if line.charge < 0:
            raise ClaimError(f"lines[{index}].charge", "must not be negative", encounter_id=enc.id)
        if line.units <= 0:
            raise ClaimError(f"lines[{index}].units", "must be positive", encounter_id=enc.id)


def total_charge(encounter: ClaimEncounter) -> Decimal:
    """CLM02 must equal the sum of the line charges (SV102 / SV203), so it is computed."""
    return sum((line.charge for line in encounter.lines or []), Decimal(0))
