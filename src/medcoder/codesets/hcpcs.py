"""HCPCS Level II: CMS's annual alpha-numeric file and the quarterly OPPS short-descriptor CSV.

The annual file (``HCPCYYYY_ANWEB*.txt``) has fixed-width 320-character records. A code's long
description runs over several records: the first has record id 3 (procedure) or 7 (modifier)
and all fields, the continuations (4 or 8) repeat code and carry only more description.
Positions (1-based, inclusive; the layout CMS publishes with the file)::

    1-5 code (modifiers right-aligned)   6-10 sequence   11 record id (3, 4, 7, 8)
    12-91 long description   92-119 short description   120-127 pricing indicators (4 x 2)
    128 multiple pricing indicator   129-146 coverage issues manual refs (3 x 6)
    147-170 carriers manual refs (3 x 8)   171-180 statute   181-204 lab certification (8 x 3)
    205-229 cross references (5 x 5)   230 coverage code   231-232 ASC group
    233-240 ASC effective date   241-252 OPPS group, indicator, date (empty since 2013)
    253-256 processing note   257-259 BETOS   261-265 type of service (5 x 1)
    266-268 anesthesia base units   269-276 code added date   277-284 action effective date
    285-292 termination date   293 action code

The quarterly CSV (OPPS Addendum B, Level II rows) gives the short descriptor, the OPPS status
indicator and the payment rate a claim needs; it has no long descriptions.
"""

from __future__ import annotations

import csv
import re
import sqlite3
from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from medcoder.codesets import pack_store
from medcoder.codesets.periods import Period, quarter_period
from medcoder.errors import SourceFileError, UsageError

RECORD_LENGTH = 320
_MIN_FIRST_RECORD = 293  # through the action code; trailing filler may have been trimmed
_RECORD = re.compile(r"^[ A-Z0-9]{5}\d{5}[3478]")
_CODE = re.compile(r"^(?:[A-V]\d{4}|[A-Z0-9]{2})$")


@dataclass(frozen=True)
class HcpcsCode:
    """One Level II code or modifier. Fields absent from the source are empty or None."""

    code: str
    short_description: str
    long_description: str = ""
    effective_date: date | None = None  # the code was added (valid from)
    termination_date: date | None = None  # last day the code may be reported
    is_modifier: bool = False
    status_indicator: str = ""  # OPPS status indicator (quarterly CSV)
    payment_rate: Decimal | None = None  # OPPS national payment rate (quarterly CSV)
    action_code: str = ""  # A added, C changed, D discontinued, N no change, P, R, S, T
    action_effective_date: date | None = None
    coverage_code: str = ""  # C carrier judgement, D special coverage, I not payable, M, S
    betos: str = ""
    type_of_service: str = ""  # up to 5 one-character codes
    pricing_indicators: str = ""  # up to 4 two-character codes, space separated
    multiple_pricing_indicator: str = ""
    cross_references: str = ""  # codes to use instead, space separated
    lab_certifications: str = ""
    statute: str = ""
    processing_note: str = ""
    asc_group: str = ""
    anesthesia_base_units: int | None = None

    def is_active(self, on: date) -> bool:
        """Whether the code may be reported on ``on`` by the dates this file gives."""
        if self.effective_date and on < self.effective_date:
            return False
        return not (self.termination_date and on > self.termination_date)


def _date(text: str, path: Path, line: int, what: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError as exc:
        raise SourceFileError(path, f"{what} {text!r} is not a YYYYMMDD date", line=line) from exc


def _chunks(text: str, size: int) -> str:
    return " ".join(p for p in (text[i : i + size].strip() for i in range(0, len(text), size)) if p)


def _first_record(rec: str, path: Path, line: int) -> HcpcsCode:
    rec = rec.ljust(RECORD_LENGTH)
    base_units = rec[265:268].strip()
    if base_units and not base_units.isdigit():
        raise SourceFileError(path, f"anesthesia base units {base_units!r} not a number", line=line)
    return HcpcsCode(
        code=rec[0:5].strip(),
        short_description=rec[91:119].strip(),
        long_description=rec[11:91].strip(),
        effective_date=_date(rec[268:276], path, line, "code added date"),
        termination_date=_date(rec[284:292], path, line, "termination date"),
        is_modifier=rec[10] == "7",
        action_code=rec[292].strip(),
        action_effective_date=_date(rec[276:284], path, line, "action effective date"),
        coverage_code=rec[229].strip(),
        betos=rec[256:259].strip(),
        type_of_service=rec[260:265].replace(" ", ""),
        pricing_indicators=_chunks(rec[119:127], 2),
        multiple_pricing_indicator=rec[127].strip(),
        cross_references=_chunks(rec[204:229], 5),
        lab_certifications=_chunks(rec[180:204], 3),
        statute=rec[170:180].strip(),
        processing_note=rec[252:256].strip(),
        asc_group=rec[230:232].strip(),
        anesthesia_base_units=int(base_units) if base_units else None,
    )


def _decode(path: Path) -> list[str]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceFileError(path, f"cannot read ({exc.strerror})") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # CMS writes Windows-1252
    return text.splitlines()


def parse_fixed_width(path: str | Path) -> list[HcpcsCode]:
    """Parse the annual alpha-numeric file; raise :class:`SourceFileError` with the line.

    Lines before the first record (CMS's disclaimer) are skipped; after it every non-blank
    line must be a record, so a truncated or shifted file is refused rather than misread.
    """
    path = Path(path)
    codes: list[HcpcsCode] = []
    continued: list[str] = []
    for number, text in enumerate(_decode(path), start=1):
        if not text.strip():
            continue
        if not _RECORD.match(text):
            if not codes:
                continue
            raise SourceFileError(
                path,
                "not an HCPCS record (expected code in columns 1-5, sequence number in "
                "6-10, record id 3/4/7/8 in 11)",
                line=number,
            )
        code, record_id = text[0:5].strip(), text[10]
        if not _CODE.match(code):
            raise SourceFileError(path, f"malformed code {code!r}", line=number)
        if record_id in "37":
            if len(text) < _MIN_FIRST_RECORD:
                raise SourceFileError(
                    path,
                    f"record is {len(text)} characters, expected {RECORD_LENGTH} (truncated?)",
                    line=number,
                )
            if codes and continued:
                codes[-1] = replace(codes[-1], long_description=" ".join(continued))
            codes.append(_first_record(text, path, number))
            continued = [codes[-1].long_description]
        else:
            if not codes or codes[-1].code != code:
                raise SourceFileError(
                    path,
                    f"continuation record for {code} without its first record",
                    line=number,
                )
            continued.append(text[11:91].strip())
    if not codes:
        raise SourceFileError(
            path, "no HCPCS records found: the file is empty or not the CMS alpha-numeric file"
        )
    codes[-1] = replace(codes[-1], long_description=" ".join(continued))
    return codes


_CSV_COLUMNS = {
    "code": ("hcpcscode", "hcpcs", "code", "hcpcscd"),
    "short": ("shortdescriptor", "shortdescription", "shortdesc", "description"),
    "si": ("statusindicator", "si", "opps_si", "oppssi"),
    "rate": ("paymentrate", "payment", "rate"),
}


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9_]", "", name.lower())


def parse_quarterly_csv(path: str | Path) -> list[HcpcsCode]:
    """Parse the quarterly short-descriptor CSV (code, short descriptor, SI, payment rate).

    A stray mark after a code (the April 2026 file has ``A4341`` followed by U+FFFD, a
    footnote sign lost in conversion) is dropped; any other malformed value is an error.
    """
    path = Path(path)
    lines = _decode(path)
    reader = csv.reader(lines)
    try:
        header = [_norm(h) for h in next(reader)]
    except StopIteration:
        raise SourceFileError(path, "empty file", line=1) from None
    cols: dict[str, int] = {}
    for key, names in _CSV_COLUMNS.items():
        cols[key] = next((header.index(n) for n in names if n in header), -1)
    if cols["code"] < 0 or cols["short"] < 0:
        raise SourceFileError(
            path,
            "expected a header with HCPCSCode and ShortDescriptor columns "
            "(StatusIndicator and PaymentRate optional)",
            line=1,
        )
    codes: list[HcpcsCode] = []
    seen: set[str] = set()
    for row in reader:
        number = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(cols["code"], cols["short"]):
            raise SourceFileError(
                path, f"row has {len(row)} columns, header has {len(header)}", line=number
            )

        def cell(key: str, row: list[str] = row) -> str:
            return row[cols[key]].strip() if 0 <= cols[key] < len(row) else ""

        code = re.sub(r"[^A-Za-z0-9]+$", "", cell("code")).upper()
        if not _CODE.match(code):
            raise SourceFileError(path, f"malformed HCPCS code {cell('code')!r}", line=number)
        if code in seen:
            raise SourceFileError(path, f"code {code} appears twice", line=number)
        seen.add(code)
        rate_text = cell("rate").replace("$", "").replace(",", "")
        try:
            rate = Decimal(rate_text) if rate_text else None
        except ArithmeticError:
            raise SourceFileError(
                path, f"payment rate {cell('rate')!r} is not a number", line=number
            ) from None
        codes.append(
            HcpcsCode(
                code=code,
                short_description=cell("short"),
                status_indicator=cell("si"),
                payment_rate=rate,
                is_modifier=len(code) == 2,
            )
        )
    if not codes:
        raise SourceFileError(path, "no code rows after the header (truncated?)", line=2)
    return codes


def is_annual_file(path: str | Path, probe_lines: int = 60) -> bool:
    """Whether ``path`` holds fixed-width HCPCS records near its top (the README does not).

    For recognising files by content: CMS ships the record file beside a README with the
    same ``HCPCYYYY`` name stem.
    """
    return any(
        _RECORD.match(line) and len(line) >= _MIN_FIRST_RECORD
        for line in _decode(Path(path))[:probe_lines]
    )


def is_quarterly_csv(path: str | Path) -> bool:
    """Whether ``path`` is the quarterly CSV (its header names an HCPCS code column)."""
    head = (_decode(Path(path))[:1] or [""])[0].lower()
    return "," in head and "hcpcs" in head


def parse_hcpcs(path: str | Path) -> list[HcpcsCode]:
    """Parse either publisher file, told apart by content."""
    return parse_quarterly_csv(path) if is_quarterly_csv(path) else parse_fixed_width(path)


SCHEMA = """
CREATE TABLE hcpcs_code (
    code TEXT PRIMARY KEY, short_description TEXT NOT NULL, long_description TEXT NOT NULL,
    effective_date TEXT, termination_date TEXT, is_modifier INTEGER NOT NULL,
    status_indicator TEXT NOT NULL, payment_rate TEXT, action_code TEXT NOT NULL,
    action_effective_date TEXT, coverage_code TEXT NOT NULL, betos TEXT NOT NULL,
    type_of_service TEXT NOT NULL, pricing_indicators TEXT NOT NULL,
    multiple_pricing_indicator TEXT NOT NULL, cross_references TEXT NOT NULL,
    lab_certifications TEXT NOT NULL, statute TEXT NOT NULL, processing_note TEXT NOT NULL,
    asc_group TEXT NOT NULL, anesthesia_base_units INTEGER) WITHOUT ROWID;
"""
_FIELDS = [f.name for f in fields(HcpcsCode)]
_DATES = {"effective_date", "termination_date", "action_effective_date"}


def write_hcpcs(conn: sqlite3.Connection, codes: list[HcpcsCode]) -> None:
    """Store codes in a pack opened with :func:`pack_store.pack_writer`."""
    conn.executescript(SCHEMA)

    def column(code: HcpcsCode, name: str) -> object:
        value = getattr(code, name)
        if name in _DATES or name == "payment_rate":
            return None if value is None else str(value)
        return int(value) if isinstance(value, bool) else value

    conn.executemany(
        f"INSERT INTO hcpcs_code ({', '.join(_FIELDS)}) VALUES ({', '.join('?' * len(_FIELDS))})",
        ([column(c, n) for n in _FIELDS] for c in codes),
    )


def _from_row(row: tuple) -> HcpcsCode:
    values = dict(zip(_FIELDS, row, strict=True))
    for name in _DATES:
        values[name] = date.fromisoformat(values[name]) if values[name] else None
    rate = values["payment_rate"]
    values["payment_rate"] = Decimal(rate) if rate is not None else None
    values["is_modifier"] = bool(values["is_modifier"])
    return HcpcsCode(**values)


def read_hcpcs(conn: sqlite3.Connection) -> dict[str, HcpcsCode]:
    """All codes of a pack by code."""
    rows = conn.execute(f"SELECT {', '.join(_FIELDS)} FROM hcpcs_code")
    return {code.code: code for code in map(_from_row, rows)}


def read_hcpcs_code(conn: sqlite3.Connection, code: str) -> HcpcsCode | None:
    """One code (or modifier) of a pack, for a look-up."""
    row = conn.execute(
        f"SELECT {', '.join(_FIELDS)} FROM hcpcs_code WHERE code = ?", (code,)
    ).fetchone()
    return _from_row(row) if row else None


def hcpcs_period(version: str) -> Period:
    """``2020`` -> the calendar year (annual file); ``2026-04`` -> the quarter of April."""
    match = re.fullmatch(r"(\d{4})(?:[-_ ]?(?:Q([1-4])|(\d{2})))?", version.strip(), re.I)
    if not match:
        raise UsageError(f"HCPCS version {version!r}: expected YYYY, YYYY-MM or YYYYQn")
    year = int(match.group(1))
    if match.group(2):
        return quarter_period(year, int(match.group(2)))
    if match.group(3):
        month = int(match.group(3))
        if not 1 <= month <= 12:
            raise UsageError(f"HCPCS version {version!r}: month must be 01-12")
        return quarter_period(year, (month - 1) // 3 + 1)
    return Period(date(year, 1, 1), date(year, 12, 31))


def merge_hcpcs(annual: list[HcpcsCode], quarterly: list[HcpcsCode]) -> list[HcpcsCode]:
    """Codes of the annual file, with status indicator and rate from the quarterly CSV.

    Codes the quarterly file adds (new since the annual file) are kept with its short
    descriptor only.
    """
    by_code = {c.code: c for c in annual}
    for q in quarterly:
        base = by_code.get(q.code)
        by_code[q.code] = (
            q
            if base is None
            else replace(
                base,
                status_indicator=q.status_indicator,
                payment_rate=q.payment_rate,
                short_description=q.short_description or base.short_description,
            )
        )
    return sorted(by_code.values(), key=lambda c: (c.is_modifier, c.code))


def build_hcpcs_pack(paths: list[Path] | Path, version: str) -> Path:
    """Compile one HCPCS release (an annual file, a quarterly CSV, or both) into a pack."""
    paths = [Path(paths)] if isinstance(paths, str | Path) else [Path(p) for p in paths]
    annual: list[HcpcsCode] = []
    quarterly: list[HcpcsCode] = []
    for path in paths:
        if is_quarterly_csv(path):
            quarterly += parse_quarterly_csv(path)
        else:
            annual += parse_fixed_width(path)
    period = hcpcs_period(str(version))
    meta = {
        "component": "hcpcs",
        "version": str(version),
        "effective_from": period.start.isoformat(),
        "effective_to": period.end.isoformat(),
        "source": ", ".join(p.name for p in paths),
    }
    dest = pack_store.pack_path("hcpcs", version)
    with pack_store.pack_writer(dest, meta) as conn:
        write_hcpcs(conn, merge_hcpcs(annual, quarterly))
    return dest


_UNITS = {
    "mg": "mg",
    "milligram": "mg",
    "milligrams": "mg",
    "mcg": "mcg",
    "microgram": "mcg",
    "micrograms": "mcg",
    "g": "g",
    "gm": "g",
    "gram": "g",
    "grams": "g",
    "ml": "ml",
    "cc": "ml",
    "milliliter": "ml",
    "milliliters": "ml",
    "meq": "meq",
    "mci": "mci",
    "millicurie": "mci",
    "millicuries": "mci",
    "uci": "uci",
    "microcurie": "uci",
    "microcuries": "uci",
    "iu": "iu",
    "i.u.": "iu",
    "international units": "iu",
    "international unit": "iu",
    "usp units": "usp units",
    "usp unit": "usp units",
    "million units": "million units",
    "units": "units",
    "unit": "units",
    "square centimeter": "sq cm",
    "square centimeters": "sq cm",
    "sq cm": "sq cm",
    "kiu": "kiu",  # kallikrein inhibitor units (aprotinin)
    "vial": "vial",
    "single use vial": "vial",
    "single dose vial": "vial",
    "dose": "dose",
}
_UNIT_RE = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
_DOSE = re.compile(
    rf"(?:(?P<per>\bper|\bup to|\bover)\s+)?(?P<amount>\d[\d,]*(?:\.\d+)?)?\s*"
    rf"(?P<unit>{_UNIT_RE})(?![a-z])",
    re.I,
)


def dosage_descriptor(text: str) -> tuple[Decimal, str] | None:
    """The dose one billing unit stands for: ``"Injection, ..., per 250 mg"`` -> (250, 'mg').

    Billing units are the administered dose divided by this amount. Parenthesised notes are
    read only when the main text names no dose ("(code may be used for medicare ...)"), and
    the first segment ("Injection") never holds it. Units are normalised (``gm`` -> ``g``,
    ``cc`` -> ``ml``, ``i.u.`` -> ``iu``); ``per i.u.`` without a number is an amount of 1.
    """
    body = text.split(",", 1)[1] if "," in text else text
    for candidate in (re.sub(r"\([^)]*\)", " ", body), body):
        for match in _DOSE.finditer(candidate):
            if not (match.group("amount") or match.group("per")):
                continue
            amount = (
                Decimal(match.group("amount").replace(",", ""))
                if match.group("amount")
                else Decimal(1)
            )
            return amount, _UNITS[match.group("unit").lower()]
    return None
