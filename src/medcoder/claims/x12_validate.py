"""Validate X12 text against its implementation guide with pyx12.

pyx12 is the most complete open validator for 5010: it walks the transaction
against the guide's map (loop nesting and repeats, segment and element usage, lengths, data
types, code lists such as SBR09, POS and states, control numbers and SE/GE/IEA counts). Its
entry point, :func:`pyx12.x12n_document.x12n_document`, takes params, a source (path or open
file), and optional 997/999, HTML, XML and JSON output files, and returns only a boolean; the
errors themselves come out through the JSON visitor (``fd_json``), which mirrors pyx12's error
tree ISA -> GS -> ST -> segment -> element. We run it on an in-memory file and flatten that
tree into :class:`X12Issue` records. An empty list means pyx12 found nothing wrong.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyx12.errors
import pyx12.params
import pyx12.x12file
import pyx12.x12n_document


@dataclass(frozen=True)
class X12Issue:
    """One pyx12 finding.

    ``level`` is where pyx12 attached it (interchange, group, transaction, segment, element);
    ``segment`` the segment id (ISA, GS, SE, NM1, ...); ``element`` the element reference
    such as ``HI01-1`` or ``NM108``; ``code`` pyx12's 999/997 error code (IK3/IK4 codes for
    segments and elements, IK5/AK9 and TA1 codes above); ``line`` the segment number in the
    file when known.
    """

    level: str
    code: str
    message: str
    segment: str | None = None
    element: str | None = None
    value: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = self.segment or self.level
        if self.element:
            where = f"{where} {self.element}"
        if self.line is not None:
            where = f"{where} (segment {self.line})"
        return f"{where}: [{self.code}] {self.message}"


def validate_x12(text: str) -> list[X12Issue]:
    """Run pyx12's validator on ``text`` and return its errors (empty when valid)."""
    source = text.lstrip("\ufeff").strip()
    ok, raw, failure = _run(source)
    if failure is not None:
        return [failure]
    issues = [i for per_isa in _flatten(raw) for i in per_isa]
    if not ok and not issues:
        issues.append(
            X12Issue(level="interchange", code="parse", message=_unreadable_reason(source))
        )
    return issues


def validate_many(texts: Sequence[str], *, chunk: int = 100) -> list[list[X12Issue]]:
    """Validate many single-interchange texts; one list of issues per text, in order.

    pyx12 spends most of a run loading its XML maps (about 0.1 s for the control and 837
    maps), and checking one claim costs little beside it, so interchanges are concatenated,
    ``chunk`` at a time, and validated in one run; pyx12 reports per interchange (and also
    catches a control number repeated within the run). When a chunk cannot be read as a
    whole, or reports a different number of interchanges, its texts are validated one by one.
    """
    out: list[list[X12Issue]] = []
    for start in range(0, len(texts), max(chunk, 1)):
        part = [t.lstrip("\ufeff").strip() for t in texts[start : start + max(chunk, 1)]]
        if len(part) == 1:
            out.append(validate_x12(part[0]))
            continue
        ok, raw, failure = _run("\n".join(part))
        per_isa = _flatten(raw) if failure is None else []
        if failure is not None or len(per_isa) != len(part) or (not ok and not any(per_isa)):
            out.extend(validate_x12(t) for t in part)
        else:
            out.extend(per_isa)
    return out


def acknowledge(text: str) -> str:
    """The 999 acknowledgment pyx12 writes for ``text`` (the answer a receiver sends back:
    accepted, or rejected with the segment and element at fault); returned, never written
    beside the input."""
    param = pyx12.params.ParamsBase()
    out = io.StringIO()
    logger = logging.getLogger("pyx12")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        pyx12.x12n_document.x12n_document(
            param, io.StringIO(text.lstrip("\ufeff").strip()), out, None
        )
    except (pyx12.errors.EngineError, pyx12.errors.X12Error, ValueError) as exc:
        raise ValueError(f"pyx12 could not acknowledge the file: {exc}") from exc
    finally:
        logger.setLevel(previous)
    return out.getvalue()


def _run(source: str) -> tuple[bool, str, X12Issue | None]:
    """One pyx12 run: (valid, JSON error tree, or the failure that stopped pyx12)."""
    param = pyx12.params.ParamsBase()  # defaults only: no user config file can change the result
    json_out = io.StringIO()
    logger = logging.getLogger("pyx12")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)  # pyx12 logs every error too; we return them instead
    try:
        ok = pyx12.x12n_document.x12n_document(
            param, io.StringIO(source), None, None, None, json_out
        )
    except pyx12.errors.EngineError as exc:  # e.g. no map for the GS08 version
        return False, "", X12Issue(level="interchange", code="map", message=str(exc))
    except (
        pyx12.errors.X12Error,
        pyx12.errors.X12PathError,
        ValueError,
        IndexError,
        KeyError,
    ) as exc:
        issue = X12Issue(level="interchange", code="parse", message=f"{type(exc).__name__}: {exc}")
        return False, "", issue
    finally:
        logger.setLevel(previous)
    return bool(ok), json_out.getvalue(), None


def _unreadable_reason(source: str) -> str:
    """pyx12 returns False without an error record when the ISA cannot be read; say why."""
    try:
        pyx12.x12file.X12Reader(io.StringIO(source))
    except pyx12.errors.X12Error as exc:
        return f"not an X12 interchange: {exc}"
    return "pyx12 rejected the interchange without reporting a specific error"


def _flatten(raw: str) -> list[list[X12Issue]]:
    """pyx12's JSON error tree as one list of issues per interchange (ISA)."""
    if not raw:
        return []
    doc: dict[str, Any] = json.loads(raw)
    out: list[list[X12Issue]] = []
    for isa in doc.get("interchanges", []):
        issues = _node_errors("interchange", "ISA", isa)
        for gs in isa.get("groups", []):
            issues += _node_errors("group", "GS", gs)
            for st in gs.get("transactions", []):
                issues += _node_errors("transaction", "ST", st)
                for seg in st.get("segments", []):
                    issues += _segment_errors(seg)
        out.append(issues)
    return out


def _node_errors(level: str, segment: str, node: dict[str, Any]) -> list[X12Issue]:
    return [
        X12Issue(
            level=level,
            code=str(e["err_cde"]),
            message=str(e["err_str"]),
            segment=segment,
            line=node.get("cur_line"),
        )
        for e in node.get("errors", [])
    ]


def _segment_errors(seg: dict[str, Any]) -> list[X12Issue]:
    seg_id = seg.get("seg_id")
    line = seg.get("seg_count")
    issues = [
        X12Issue(
            level="segment",
            code=str(e["err_cde"]),
            message=str(e["err_str"]),
            segment=seg_id,
            value=_str_or_none(e.get("err_val")),
            line=line,
        )
        for e in seg.get("errors", [])
    ]
    for ele in seg.get("elements", []):
        ref = f"{seg_id}{int(ele['ele_pos']):02d}" if ele.get("ele_pos") else seg_id
        if ele.get("subele_pos"):
            ref = f"{ref}-{ele['subele_pos']}"
        issues += [
            X12Issue(
                level="element",
                code=str(e["err_cde"]),
                message=str(e["err_str"]),
                segment=seg_id,
                element=ref,
                value=_str_or_none(e.get("err_val")),
                line=line,
            )
            for e in ele.get("errors", [])
        ]
    return issues


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)
