"""CPT: the user's own licensed file, and the few code numbers logic needs without it.

CPT descriptors are the AMA's copyright; medcoder ships none. A user who holds a licence
imports their file (``medcoder data import --cpt FILE``): CSV or TSV (pipe also accepted),
with a header naming a code column (code, cpt, cpt_code, hcpcs) and a descriptor column
(descriptor, description, long_description, short_description, ...), or a headerless file of
two columns, code then descriptor (the AMA's ``LONGULT.txt`` shape).

Code *numbers* are facts, not text, so the E/M levels the coding engine reasons about are
listed here and work without any file.
"""

from __future__ import annotations

import csv
import re
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from medcoder.codesets import pack_store
from medcoder.codesets.periods import Period
from medcoder.errors import SourceFileError, UsageError

EM_OFFICE_NEW = ("99202", "99203", "99204", "99205")
EM_OFFICE_ESTABLISHED = ("99211", "99212", "99213", "99214", "99215")
EM_EMERGENCY = ("99281", "99282", "99283", "99284", "99285")
EM_PROLONGED = "99417"
EM_CODES = frozenset(EM_OFFICE_NEW + EM_OFFICE_ESTABLISHED + EM_EMERGENCY + (EM_PROLONGED,))
"""E/M code numbers (no descriptors): office new/established, emergency, prolonged service."""

_WELLFORMED = re.compile(r"^\d{4}[0-9FTU]$")
_CODE_HEADERS = (
    "code",
    "cpt",
    "cptcode",
    "cpt_code",
    "hcpcs",
    "hcpcscode",
    "hcpcs_code",
    "procedurecode",
    "procedure_code",
)
_LONG_HEADERS = (
    "long_description",
    "longdescription",
    "descriptor",
    "description",
    "long_descriptor",
    "consumer_descriptor",
    "clinician_descriptor",
    "desc",
)
_SHORT_HEADERS = ("short_description", "shortdescription", "short_descriptor", "short_desc")
_DELIMITERS = ("\t", ",", "|")


def cpt_code_is_wellformed(code: str) -> bool:
    """Four digits and a digit, F (Category II) or T (Category III) or U (PLA): ``99214``."""
    return bool(_WELLFORMED.match(code.strip().upper()))


@dataclass(frozen=True)
class CptCode:
    code: str
    description: str
    short_description: str = ""


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9_]", "", name.strip().lower().replace(" ", "_"))


def _read_lines(path: Path) -> list[str]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceFileError(path, f"cannot read ({exc.strerror})") from exc
    try:
        return raw.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace").splitlines()


def _delimiter(first: str) -> str | None:
    counts = {d: first.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else None


_EXPECTED = (
    "expected a header with a code column (code, cpt, hcpcs) and a descriptor column "
    "(descriptor, description, long_description, short_description), or two columns "
    "code and descriptor without a header, separated by tab, comma or |"
)


def _columns(header: list[str]) -> tuple[int, int, int] | None:
    names = [_norm(h) for h in header]

    def find(options: tuple[str, ...]) -> int:
        return next((names.index(o) for o in options if o in names), -1)

    code, long, short = find(_CODE_HEADERS), find(_LONG_HEADERS), find(_SHORT_HEADERS)
    if code < 0 or (long < 0 and short < 0):
        return None
    return code, long if long >= 0 else short, short if long >= 0 else -1


def parse_cpt(path: str | Path) -> list[CptCode]:
    """Parse a licensed CPT file; an unknown layout or bad row raises :class:`SourceFileError`.

    The error names the file and line and what was expected, because the user's file comes
    from a distributor whose export we have never seen.
    """
    path = Path(path)
    lines = _read_lines(path)
    first_no = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first_no is None:
        raise SourceFileError(path, f"empty file; {_EXPECTED}", line=1)
    delimiter = _delimiter(lines[first_no])
    if delimiter is None:
        raise SourceFileError(
            path, f"no tab, comma or | in the first line; {_EXPECTED}", line=first_no + 1
        )
    reader = csv.reader(lines[first_no:], delimiter=delimiter)
    first = next(reader)
    if len(first) >= 2 and cpt_code_is_wellformed(first[0]):
        # headerless: code, then the descriptor (unquoted commas in it rejoined)
        rows = [(first_no + 1, first)] + [(first_no + reader.line_num, r) for r in reader]
        rows = [(n, r[:1] + [delimiter.join(r[1:])] if len(r) > 2 else r) for n, r in rows]
        return _rows_to_codes(path, rows, (0, 1, -1))
    found = _columns(first)
    if found is None:
        raise SourceFileError(path, f"unknown layout {first[:6]!r}; {_EXPECTED}", line=first_no + 1)
    rows = [(first_no + reader.line_num, row) for row in reader]
    return _rows_to_codes(path, rows, found)


def _rows_to_codes(
    path: Path, rows: list[tuple[int, list[str]]], cols: tuple[int, int, int]
) -> list[CptCode]:
    code_col, desc_col, short_col = cols
    codes: list[CptCode] = []
    seen: dict[str, int] = {}
    for number, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(code_col, desc_col):
            raise SourceFileError(
                path,
                f"row has {len(row)} column(s), expected a code in column {code_col + 1} "
                f"and a descriptor in column {desc_col + 1}",
                line=number,
            )
        code = row[code_col].strip().upper()
        if not cpt_code_is_wellformed(code):
            raise SourceFileError(
                path,
                f"malformed CPT code {row[code_col]!r} (expected 4 digits and a digit, F, T or U)",
                line=number,
            )
        if code in seen:
            raise SourceFileError(
                path, f"code {code} appears twice (first on line {seen[code]})", line=number
            )
        description = " ".join(row[desc_col].split())
        if not description:
            raise SourceFileError(path, f"code {code} has an empty descriptor", line=number)
        short = " ".join(row[short_col].split()) if 0 <= short_col < len(row) else ""
        seen[code] = number
        codes.append(CptCode(code, description, short))
    if not codes:
        raise SourceFileError(path, f"no code rows; {_EXPECTED}")
    return codes


SCHEMA = """
CREATE TABLE cpt_code (
    code TEXT PRIMARY KEY, description TEXT NOT NULL, short_description TEXT NOT NULL
) WITHOUT ROWID;
"""


def write_cpt(conn: sqlite3.Connection, codes: list[CptCode]) -> None:
    conn.executescript(SCHEMA)
    conn.executemany(
        "INSERT INTO cpt_code VALUES (?, ?, ?)",
        ((c.code, c.description, c.short_description) for c in codes),
    )


def read_cpt(conn: sqlite3.Connection) -> dict[str, CptCode]:
    return {row[0]: CptCode(*row) for row in conn.execute("SELECT * FROM cpt_code")}


def cpt_period(version: str | int) -> Period:
    """CPT is released for a calendar year (effective 1 January)."""
    text = str(version).strip()
    if not re.fullmatch(r"\d{4}", text):
        raise UsageError(f"CPT version {version!r}: expected a year such as 2026")
    return Period(date(int(text), 1, 1), date(int(text), 12, 31))


def build_cpt_pack(path: str | Path, version: str | int) -> Path:
    """Compile the user's licensed CPT file into ``cpt-{version}.sqlite`` (kept locally)."""
    path = Path(path)
    period = cpt_period(version)
    codes = parse_cpt(path)
    meta = {
        "component": "cpt",
        "version": str(version),
        "effective_from": period.start.isoformat(),
        "effective_to": period.end.isoformat(),
        "source": path.name,
    }
    dest = pack_store.pack_path("cpt", version)
    with pack_store.pack_writer(dest, meta) as conn:
        write_cpt(conn, codes)
    return dest
