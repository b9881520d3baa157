"""CMS NCCI procedure-to-procedure (PTP) and Medically Unlikely Edit (MUE) tables: the
files as CMS publishes them, and the packs ``medcoder data import`` compiles from them.

Where to get them: CMS publishes both every quarter, free, on the "National Correct Coding
Initiative Edits" pages of cms.gov: *Medicare NCCI Procedure to Procedure (PTP) Edits*
(practitioner and hospital outpatient tables, zip files of tab-separated ``.txt`` files
such as ``ccipra-v304r0-f1.txt``) and *Medicare NCCI Medically Unlikely Edits* (practitioner,
outpatient hospital and DME supplier tables, ``.csv`` such as
``MCR_MUE_PractitionerServices_Eff_10-01-2024.csv``). Unzip them and run
``medcoder data import FOLDER``; the scrubber then uses the practitioner tables for 837P
claims and the hospital outpatient tables for 837I claims, for the quarter of the date of
service. Without them its NCCI-PTP and MUE rules do not run, and the report says so.

The loaders read the text/CSV exports of those files: one or more heading lines (title,
copyright notice, column names) followed by one row per edit, tab- or comma-separated. Any
line whose first field is not a HCPCS/CPT code is taken as heading.

PTP layout (7 columns)::

    Column 1 | Column 2 | * = in existence prior to 1996 | Effective Date |
    Deletion Date (* = no data) | Modifier 0=not allowed 1=allowed 9=not applicable |
    PTP Edit Rationale

Dates are ``YYYYMMDD`` (``MM/DD/YYYY`` and ISO are accepted too); a deletion date of ``*``
or blank means the edit is open. An edit applies when both codes are billed for the same
patient, provider and date of service, and the DOS is in ``[effective, deletion)``.

MUE layout (4 columns)::

    HCPCS/CPT Code | <Practitioner|Outpatient Hospital|DME Supplier> Services MUE Values |
    MUE Adjudication Indicator | MUE Rationale

The MAI column reads like ``2 Date of Service Edit: Policy``; its leading digit is the MAI.

Quarters: a PTP file's version ``vXXYrZ`` is release XX.Y, in force from the quarter
XX + 1994, month 1 + 3Y (v30.4 is not published; v30.0 is January 2024); an MUE file names its
effective date (``Eff_10-01-2024``). A file that says neither is taken as in force from the
day it is imported.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from medcoder.errors import PackNotFoundError, SourceFileError

_CODE = re.compile(r"^([0-9]{4}[0-9A-Z]|[A-Z][0-9]{4})$")  # CPT (incl. F/T/U) or HCPCS II


@dataclass(frozen=True, slots=True)
class PtpEdit:
    column1: str
    column2: str
    prior_1996: bool
    effective: dt.date
    deletion: dt.date | None
    modifier_indicator: int  # 0 never bypassable, 1 bypassable, 9 deleted retroactively
    rationale: str

    def in_force(self, on: dt.date) -> bool:
        return self.effective <= on and (self.deletion is None or on < self.deletion)


@dataclass(frozen=True, slots=True)
class MueEdit:
    code: str
    value: Decimal
    mai: int  # 1 claim line, 2 date of service (policy, absolute), 3 date of service (clinical)
    rationale: str


def _rows(path: Path) -> list[tuple[int, list[str]]]:
    """Data rows with their line numbers; heading and blank lines are skipped."""
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError as exc:
        raise SourceFileError(path, f"cannot read: {exc.strerror or exc}") from exc
    out = []
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        delimiter = "\t" if "\t" in raw else ","
        fields = [f.strip() for f in next(csv.reader(io.StringIO(raw), delimiter=delimiter))]
        if fields and _CODE.match(fields[0].upper()):
            out.append((number, fields))
    if not out:
        raise SourceFileError(path, "no edit rows found (is this a CMS NCCI file?)")
    return out


def _date(text: str, path: Path, line: int, label: str) -> dt.date | None:
    text = text.strip()
    if text in ("", "*"):
        return None
    for fmt in ("%Y%m%d", "%m/%d/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise SourceFileError(path, f"{label} {text!r} is not a date (YYYYMMDD)", line=line)


class PtpTable:
    """PTP edits indexed column1 -> column2 -> edits (several rows may cover one pair)."""

    def __init__(self, edits: list[PtpEdit] | tuple[PtpEdit, ...] = ()) -> None:
        self.index: dict[str, dict[str, list[PtpEdit]]] = defaultdict(dict)
        self.count = 0
        for edit in edits:
            self.add(edit)

    def add(self, edit: PtpEdit) -> None:
        self.index[edit.column1].setdefault(edit.column2, []).append(edit)
        self.count += 1

    def __len__(self) -> int:
        return self.count

    def partners(self, column1: str) -> dict[str, list[PtpEdit]]:
        """Column-2 codes paired with ``column1``, each with its edits."""
        return self.index.get(column1, {})

    def edit(self, column1: str, column2: str, on: dt.date) -> PtpEdit | None:
        """The edit in force on ``on`` for this ordered pair, if any."""
        for edit in self.index.get(column1, {}).get(column2, ()):
            if edit.in_force(on):
                return edit
        return None


def load_ptp(*paths: str | Path) -> PtpTable:
    """Read CMS PTP files (practitioner or outpatient hospital) into one table."""
    table = PtpTable()
    for path in map(Path, paths):
        for line, f in _rows(path):
            if len(f) < 6:
                raise SourceFileError(path, f"expected 7 PTP columns, got {len(f)}", line=line)
            indicator = f[5][:1]
            if indicator not in ("0", "1", "9"):
                raise SourceFileError(
                    path, f"modifier indicator {f[5]!r} is not 0, 1 or 9", line=line
                )
            effective = _date(f[3], path, line, "effective date")
            if effective is None:
                raise SourceFileError(path, "effective date is missing", line=line)
            table.add(
                PtpEdit(
                    column1=f[0].upper(),
                    column2=f[1].upper(),
                    prior_1996=f[2] == "*",
                    effective=effective,
                    deletion=_date(f[4], path, line, "deletion date"),
                    modifier_indicator=int(indicator),
                    rationale=f[6] if len(f) > 6 else "",
                )
            )
    return table


class MueTable(dict[str, MueEdit]):
    """MUE edits by code."""


def load_mue(*paths: str | Path) -> MueTable:
    """Read CMS MUE files (practitioner, outpatient hospital or DME) into one table."""
    table = MueTable()
    for path in map(Path, paths):
        for line, f in _rows(path):
            if len(f) < 3:
                raise SourceFileError(path, f"expected 4 MUE columns, got {len(f)}", line=line)
            try:
                value = Decimal(f[1])
            except ArithmeticError:
                raise SourceFileError(
                    path, f"MUE value {f[1]!r} is not a number", line=line
                ) from None
            mai = f[2][:1]
            if mai not in ("1", "2", "3"):
                raise SourceFileError(path, f"MAI {f[2]!r} is not 1, 2 or 3", line=line)
            code = f[0].upper()
            table[code] = MueEdit(code, value, int(mai), f[3] if len(f) > 3 else "")
    return table


# --- packs: the files compiled once by `medcoder data import` --------------------------------

#: Which CMS table a file is: PTP practitioner / hospital outpatient, MUE practitioner /
#: hospital outpatient / DME supplier.
PTP_SETTINGS = ("practitioner", "hospital")
MUE_SETTINGS = ("practitioner", "hospital", "dme")
COMPONENTS = tuple(
    [f"ncci-ptp-{s}" for s in PTP_SETTINGS] + [f"ncci-mue-{s}" for s in MUE_SETTINGS]
)
_PTP_VERSION = re.compile(r"v(\d{2})(\d)r\d", re.IGNORECASE)
_MUE_EFFECTIVE = re.compile(r"eff[_ -]?(\d{2})[-_](\d{2})[-_](\d{4})", re.IGNORECASE)
_FOREVER = dt.date(9999, 12, 31)


def detect_ncci(path: Path, head: str) -> tuple[str, str] | None:
    """``(component, version)`` of a CMS PTP or MUE file, from its heading and name."""
    lower = head.lower()
    if "column 1" in lower and "column 2" in lower and "modifier" in lower:
        kind = "ptp"
    elif "mue" in lower and "adjudication" in lower:
        kind = "mue"
    else:
        return None
    where = f"{path.name} {lower}".lower()
    if "dme" in where and kind == "mue":
        setting = "dme"
    elif "oph" in where or "outpatient hospital" in where or "hospital" in where:
        setting = "hospital"
    else:
        setting = "practitioner"
    return f"ncci-{kind}-{setting}", _quarter_of(path.name) or "?"


def _quarter_of(name: str) -> str | None:
    """``2024q1`` from a PTP version (v300r0) or an MUE effective date (Eff_01-01-2024)."""
    match = _PTP_VERSION.search(name)
    if match:
        year, quarter = 1994 + int(match.group(1)), int(match.group(2)) + 1
        if 1 <= quarter <= 4:
            return f"{year}q{quarter}"
    match = _MUE_EFFECTIVE.search(name)
    if match:
        month, year = int(match.group(1)), int(match.group(3))
        return f"{year}q{(month - 1) // 3 + 1}"
    return None


def quarter_period(version: str, imported: dt.date) -> tuple[dt.date, dt.date]:
    """The dates a pack answers for: its quarter, or from the import day on if undated."""
    match = re.fullmatch(r"(\d{4})q([1-4])", version)
    if match is None:
        return imported, _FOREVER
    year, quarter = int(match.group(1)), int(match.group(2))
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return start, end - dt.timedelta(days=1)


def build_ncci_pack(paths: list[Path], component: str, version: str) -> Path:
    """Compile CMS PTP or MUE files of one table and quarter into a pack."""
    from medcoder.codesets.pack_store import pack_path, pack_writer

    today = dt.date.today()
    if version == "?":
        version = f"imported-{today:%Y%m%d}"
    start, end = quarter_period(version, today)
    meta = {
        "component": component,
        "version": version,
        "effective_from": start.isoformat(),
        "effective_to": end.isoformat(),
        "source": ", ".join(p.name for p in paths),
    }
    dest = pack_path(component, version)
    if component.startswith("ncci-ptp-"):
        table = load_ptp(*paths)
        with pack_writer(dest, meta) as conn:
            conn.execute(
                "CREATE TABLE ptp (column1 TEXT NOT NULL, column2 TEXT NOT NULL, prior_1996 "
                "INTEGER, effective TEXT NOT NULL, deletion TEXT, modifier_indicator INTEGER, "
                "rationale TEXT)"
            )
            conn.executemany(
                "INSERT INTO ptp VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    (
                        e.column1,
                        e.column2,
                        int(e.prior_1996),
                        e.effective.isoformat(),
                        e.deletion.isoformat() if e.deletion else None,
                        e.modifier_indicator,
                        e.rationale,
                    )  # fmt: skip
                    for partners in table.index.values()
                    for edits in partners.values()
                    for e in edits
                ),
            )
            conn.execute("CREATE INDEX ptp_column1 ON ptp (column1)")
        return dest
    mue = load_mue(*paths)
    with pack_writer(dest, meta) as conn:
        conn.execute(
            "CREATE TABLE mue (code TEXT PRIMARY KEY, value TEXT NOT NULL, mai INTEGER, "
            "rationale TEXT)"
        )
        conn.executemany(
            "INSERT INTO mue VALUES (?, ?, ?, ?)",
            ((e.code, str(e.value), e.mai, e.rationale) for e in mue.values()),
        )
    return dest


class PackedPtp(PtpTable):
    """A PTP pack read on demand: only the column-1 codes a claim bills are looked up, so a
    1.5-million-row practitioner table costs nothing to open."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._seen: set[str] = set()

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            from medcoder.codesets.pack_store import open_pack

            self._conn = open_pack(self.path)
        return self._conn

    def partners(self, column1: str) -> dict[str, list[PtpEdit]]:
        if column1 not in self._seen:
            self._seen.add(column1)
            rows = self._db().execute("SELECT * FROM ptp WHERE column1 = ?", (column1,))
            for c1, c2, prior, effective, deletion, indicator, rationale in rows:
                self.add(
                    PtpEdit(
                        c1,
                        c2,
                        bool(prior),
                        dt.date.fromisoformat(effective),
                        dt.date.fromisoformat(deletion) if deletion else None,
                        int(indicator),
                        rationale or "",
                    )
                )
        return self.index.get(column1, {})

    def edit(self, column1: str, column2: str, on: dt.date) -> PtpEdit | None:
        self.partners(column1)
        return super().edit(column1, column2, on)

    def __len__(self) -> int:
        return int(self._db().execute("SELECT count(*) FROM ptp").fetchone()[0])


class PackedMue(MueTable):
    """An MUE pack read on demand, code by code."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._missing: set[str] = set()

    def _lookup(self, code: str) -> MueEdit | None:
        if code in self._missing:
            return None
        found = dict.get(self, code)
        if found is None:
            if self._conn is None:
                from medcoder.codesets.pack_store import open_pack

                self._conn = open_pack(self.path)
            row = self._conn.execute("SELECT * FROM mue WHERE code = ?", (code,)).fetchone()
            if row is None:
                self._missing.add(code)
                return None
            found = MueEdit(row[0], Decimal(row[1]), int(row[2]), row[3] or "")
            self[code] = found
        return found

    def get(self, code: str, default: MueEdit | None = None) -> MueEdit | None:  # type: ignore[override]
        found = self._lookup(code)
        return default if found is None else found

    def __getitem__(self, code: str) -> MueEdit:
        found = self._lookup(code)
        if found is None:
            raise KeyError(code)
        return found


def imported_table(kind: str, setting: str, on: dt.date) -> PtpTable | MueTable:
    """The imported PTP or MUE table (``kind``) for ``setting`` in force on ``on``; raises
    :class:`PackNotFoundError` saying what is missing and where to get it."""
    from medcoder.codesets import registry

    component = f"ncci-{kind}-{setting}"
    label = f"NCCI {kind.upper()} ({setting})"
    try:
        info = registry.choose(component, on, label)
    except PackNotFoundError as exc:
        detail = exc.detail.replace("; run `medcoder data import PATH`", "")
        detail = detail.replace("none built yet", "none imported yet")
        raise PackNotFoundError(
            label,
            f"{detail}; CMS publishes them each quarter on cms.gov (National Correct Coding "
            "Initiative edits): `medcoder data import FOLDER`",
        ) from None
    return _open_table(kind, str(info.path))


@lru_cache(maxsize=16)
def _open_table(kind: str, path: str) -> PtpTable | MueTable:
    return PackedPtp(Path(path)) if kind == "ptp" else PackedMue(Path(path))
