"""ICD-10-PCS Tables: parse CMS's official tables XML and decide code validity by the tables.

A PCS code has seven axes. The first three (section, body system, root operation) name a
*table*; each table has *rows*, and each row lists the values allowed on axes 4-7 (body part,
approach, device, qualifier in the Medical and Surgical section). A code is valid if and only if
one row of its table allows its axes 4-7 *together*: taking the body part from one row and the
qualifier from another gives an invalid code. Labels belong to the row, not the table (the
same qualifier letter means different things in different rows), so they are kept per row.

The XML parser records the line of every element so that an error in the publisher's file can
be reported as ``file:line``.
"""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
import xml.parsers.expat
from dataclasses import dataclass, field
from pathlib import Path

from medcoder.errors import CodeError, SourceFileError

PCS_CHARS = frozenset("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ")
"""Characters a PCS axis value may take (no I, no O: they read like 1 and 0)."""

AXIS_NAMES = ("section", "body_system", "operation", "body_part", "approach", "device", "qualifier")
"""Medical and Surgical names of the 7 axes; other sections title some axes differently."""

_LINE = "_line"
_EMPTY_VALUES = {"No Device", "No Qualifier", "None"}
_PCS_CODE = re.compile(r"^[0-9A-HJ-NP-Z]{7}$")


def read_pcs_xml(path: str | Path, root_tag: str) -> ET.Element:
    """Parse a PCS XML file, remembering each element's line in its ``_line`` attribute.

    ElementTree alone forgets positions; a publisher file with a missing value must be
    reported with its line so the user can look at it.
    """
    path = Path(path)
    if not path.is_file():
        raise SourceFileError(path, "file not found")
    parser = xml.parsers.expat.ParserCreate()
    builder = ET.TreeBuilder()
    parser.buffer_text = True
    parser.StartElementHandler = lambda tag, attrs: builder.start(
        tag, {**attrs, _LINE: str(parser.CurrentLineNumber)}
    )
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    try:
        with path.open("rb") as handle:
            parser.ParseFile(handle)
        root = builder.close()
    except xml.parsers.expat.ExpatError as exc:
        problem = xml.parsers.expat.ErrorString(exc.code)
        raise SourceFileError(path, f"malformed XML ({problem})", line=exc.lineno) from exc
    except AssertionError as exc:  # TreeBuilder.close() on an unfinished document
        raise SourceFileError(path, "truncated XML: the document does not end") from exc
    except OSError as exc:
        raise SourceFileError(path, f"cannot read ({exc.strerror})") from exc
    if root.tag != root_tag:
        raise SourceFileError(path, f"root element is <{root.tag}>, expected <{root_tag}>", line=1)
    return root


def line_of(elem: ET.Element) -> int | None:
    """The source line :func:`read_pcs_xml` recorded for ``elem``."""
    value = elem.get(_LINE)
    return int(value) if value else None


def text_of(elem: ET.Element | None) -> str:
    """Element text with whitespace collapsed (the XML wraps long texts)."""
    if elem is None:
        return ""
    return " ".join("".join(elem.itertext()).split())


@dataclass(frozen=True)
class PcsRow:
    """Axes 4-7 of one table row: for each axis, value -> label, in the file's order."""

    axes: tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, str]]

    def allows(self, tail: str) -> bool:
        """Whether this row allows the (possibly partial) axes 4-7 ``tail``."""
        return all(ch in axis for ch, axis in zip(tail, self.axes, strict=False))

    def code_count(self) -> int:
        count = 1
        for axis in self.axes:
            count *= len(axis)
        return count


@dataclass(frozen=True)
class PcsTable:
    """One table: axes 1-3 fixed by ``key`` (``0DT``), its rows and its axis titles."""

    key: str
    labels: tuple[str, str, str]  # section, body system, operation
    titles: tuple[str, ...]  # the 7 axis titles ("Body Part", "Approach", ...)
    definition: str  # of the root operation (or type), as printed atop the table
    rows: tuple[PcsRow, ...]


@dataclass(frozen=True)
class PcsAxis:
    """One axis of a described code."""

    pos: int
    title: str
    value: str
    label: str


@dataclass(frozen=True)
class PcsDescription:
    code: str
    axes: tuple[PcsAxis, ...]
    title: str
    definition: str

    def label(self, name: str) -> str:
        """Label of the axis named as in :data:`AXIS_NAMES` (``'approach'``)."""
        return self.axes[AXIS_NAMES.index(name)].label


@dataclass
class PcsTables:
    """All tables of one fiscal year, with validity, descriptions and axis-by-axis choices."""

    version: str
    tables: dict[str, PcsTable]
    _codes: frozenset[str] | None = field(default=None, repr=False, compare=False)

    def valid_codes(self) -> frozenset[str]:
        """Every valid code, expanded once on first use (78,530 in FY2023; about 50 ms).

        A set lookup answers validity in well under a microsecond, which the validators and
        the procedure engine need when they test thousands of candidate codes.
        """
        if self._codes is None:
            codes: set[str] = set()
            for key, table in self.tables.items():
                for row in table.rows:
                    codes.update(key + "".join(t) for t in itertools.product(*row.axes))
            self._codes = frozenset(codes)
        return self._codes

    def count(self) -> int:
        return len(self.valid_codes())

    def is_valid(self, code: str) -> bool:
        """True iff a row of the code's table allows its axes 4-7 together."""
        return code in self.valid_codes()

    def rows_matching(self, prefix: str) -> list[PcsRow]:
        """Rows of the prefix's table that allow the prefix's axes 4 onward."""
        table = self.tables.get(prefix[:3])
        if table is None or len(prefix) < 3:
            return []
        return [row for row in table.rows if row.allows(prefix[3:])]

    def is_valid_prefix(self, prefix: str) -> bool:
        """Whether some valid code starts with ``prefix`` (the empty prefix included)."""
        prefix = prefix.upper()
        if len(prefix) > 7:
            return False
        if len(prefix) < 3:
            return any(key.startswith(prefix) for key in self.tables)
        return bool(self.rows_matching(prefix))

    def longest_valid_prefix(self, code: str) -> str:
        """The longest prefix of ``code`` that some valid code starts with.

        The procedure engine builds codes axis by axis; when a documented value does not fit,
        it keeps what did fit and asks :meth:`values_for` for the choices that remain.
        """
        code = code.upper()[:7]
        for length in range(len(code), 0, -1):
            if self.is_valid_prefix(code[:length]):
                return code[:length]
        return ""

    def values_for(self, prefix: str) -> dict[str, str]:
        """Values allowed on the next axis after ``prefix``, each with its label.

        Empty when the prefix is complete (7 characters) or leads to no valid code. Where two
        rows give the same value different labels, the first row's label is kept.
        """
        prefix = prefix.upper()
        pos = len(prefix)
        if pos >= 7:
            return {}
        if pos < 3:
            found: dict[str, str] = {}
            for key in sorted(self.tables):
                if key.startswith(prefix) and key[pos] not in found:
                    found[key[pos]] = self.tables[key].labels[pos]
            return found
        values: dict[str, str] = {}
        for row in self.rows_matching(prefix):
            for value, label in row.axes[pos - 3].items():
                values.setdefault(value, label)
        return dict(sorted(values.items()))

    def axis_title(self, prefix: str) -> str:
        """Title of the axis that follows ``prefix`` ("Body Part", "Approach", ...)."""
        table = self.tables.get(prefix[:3].upper())
        if table is None:
            return ("Section", "Body System", "Operation")[min(len(prefix), 2)]
        return table.titles[min(len(prefix), 6)]

    def describe(self, code: str) -> PcsDescription:
        """Axis-by-axis labels and a composed title of a valid code.

        The title is composed from the labels ("Resection of Appendix, Percutaneous Endoscopic
        Approach"); CMS's order file words some titles differently and is not needed for it.
        Raises :class:`CodeError` naming the first axis that no row allows.
        """
        key = code.strip().upper()
        if not _PCS_CODE.match(key):
            raise CodeError(
                code, "expected 7 characters from 0-9 and A-Z without I or O", system="ICD-10-PCS"
            )
        table = self.tables.get(key[:3])
        if table is None:
            good = self.longest_valid_prefix(key)
            raise CodeError(
                code,
                f"no table {key[:3]} in the FY{self.version} tables (valid up to {good!r})",
                system="ICD-10-PCS",
            )
        row = next((r for r in table.rows if r.allows(key[3:])), None)
        if row is None:
            good = self.longest_valid_prefix(key)
            bad = len(good)
            raise CodeError(
                code,
                f"no row of table {key[:3]} allows {table.titles[bad].lower()} {key[bad]!r} "
                f"after {good!r}",
                system="ICD-10-PCS",
            )
        labels = list(table.labels) + [row.axes[i][key[3 + i]] for i in range(4)]
        axes = tuple(
            PcsAxis(pos=i + 1, title=table.titles[i], value=key[i], label=labels[i])
            for i in range(7)
        )
        return PcsDescription(key, axes, _compose_title(table, labels), table.definition)


def _compose_title(table: PcsTable, labels: list[str]) -> str:
    operation, body_part, approach, device, qualifier = labels[2:]
    title = f"{operation} of {body_part}"
    if qualifier not in _EMPTY_VALUES and operation == "Bypass":
        title += f" to {qualifier}"  # the qualifier of Bypass is where the route now goes
    if device not in _EMPTY_VALUES:
        title += f" with {device}"
    if qualifier not in _EMPTY_VALUES and operation != "Bypass":
        title += f", {qualifier}"
    if approach not in _EMPTY_VALUES:
        suffix = " Approach" if table.titles[4] == "Approach" else ""
        title += f", {approach}{suffix}"
    return title


def parse_tables(path: str | Path) -> PcsTables:
    """Parse ``icd10pcs_tables_YYYY.xml``; raise :class:`SourceFileError` with file and line."""
    path = Path(path)
    root = read_pcs_xml(path, "ICD10PCS.tabular")
    version = text_of(root.find("version"))
    if not version:
        raise SourceFileError(path, "no <version> element", line=line_of(root))
    tables: dict[str, PcsTable] = {}
    for elem in root.iter("pcsTable"):
        table = _parse_table(elem, path)
        if table.key in tables:
            raise SourceFileError(path, f"table {table.key} appears twice", line=line_of(elem))
        tables[table.key] = table
    if not tables:
        raise SourceFileError(path, "no <pcsTable> found: the file is empty or truncated")
    return PcsTables(version=version, tables=tables)


def _axis_values(axis: ET.Element, path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for label in axis.iter("label"):
        value = label.get("code", "")
        if len(value) != 1 or value not in PCS_CHARS:
            raise SourceFileError(
                path,
                f"axis {axis.get('pos')} value {value!r} is not one PCS character",
                line=line_of(label),
            )
        values[value] = text_of(label)
    if not values:
        raise SourceFileError(path, f"axis {axis.get('pos')} has no <label>", line=line_of(axis))
    return values


def _axes_by_pos(elem: ET.Element, wanted: range, path: Path) -> dict[int, ET.Element]:
    axes = {int(a.get("pos", "0")): a for a in elem.findall("axis")}
    missing = [pos for pos in wanted if pos not in axes]
    if missing:
        raise SourceFileError(
            path,
            f"<{elem.tag}> lacks axis {missing[0]} (expects axes {wanted.start}-{wanted.stop - 1})",
            line=line_of(elem),
        )
    return axes


def _parse_table(elem: ET.Element, path: Path) -> PcsTable:
    head = _axes_by_pos(elem, range(1, 4), path)
    key = ""
    labels: list[str] = []
    titles: list[str] = []
    for pos in (1, 2, 3):
        values = _axis_values(head[pos], path)
        if len(values) != 1:
            raise SourceFileError(
                path, f"table axis {pos} must have one value", line=line_of(head[pos])
            )
        ((value, label),) = values.items()
        key += value
        labels.append(label)
        titles.append(text_of(head[pos].find("title")))
    rows: list[PcsRow] = []
    for row_elem in elem.findall("pcsRow"):
        axes = _axes_by_pos(row_elem, range(4, 8), path)
        row = PcsRow(tuple(_axis_values(axes[pos], path) for pos in range(4, 8)))  # type: ignore[arg-type]
        declared = row_elem.get("codes")
        if declared and declared.isdigit() and int(declared) != row.code_count():
            raise SourceFileError(
                path,
                f"row of table {key} declares {declared} codes but lists {row.code_count()}",
                line=line_of(row_elem),
            )
        if not rows:
            titles += [text_of(axes[pos].find("title")) for pos in range(4, 8)]
        rows.append(row)
    if not rows:
        raise SourceFileError(path, f"table {key} has no <pcsRow>", line=line_of(elem))
    definition = text_of(head[3].find("definition"))
    return PcsTable(key, (labels[0], labels[1], labels[2]), tuple(titles), definition, tuple(rows))
