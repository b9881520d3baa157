"""HL7 v2 reader: ORU^R01 results, MDM^T02 notes, ADT demographics and visit data.

hl7apy parses and checks each message (tolerant validation: real feeds rarely conform to the
letter). Field values are then taken from the message's own ER7 text with its own delimiters,
so that what we render and cite is exactly what the sender wrote. Results are rendered as
readable lines ("Sodium: 131 mmol/L (ref 136-145) [L]") so that the NLP sees the same text a
coder would, and every :class:`LabResult` points at its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.exceptions import HL7apyException, UnsupportedVersion
from hl7apy.parser import parse_message

from medcoder.documents.model import Document, Encounter, LabResult, Patient, Setting
from medcoder.documents.text_reader import (
    DEFAULT_MAX_BYTES,
    check_size,
    decode_bytes,
    normalize_text,
    read_bytes_limited,
)
from medcoder.errors import DocumentError

_PATIENT_CLASS = {
    "I": Setting.INPATIENT,
    "B": Setting.INPATIENT,
    "E": Setting.EMERGENCY,
    "O": Setting.OUTPATIENT,
    "R": Setting.OUTPATIENT,
    "P": Setting.OUTPATIENT,
}
_TEXT_VALUE_TYPES = {"TX", "FT", "ST", "CE", "CWE"}
_SEX = {"F": "F", "M": "M"}
_TS = re.compile(r"^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.\d+)?([+-]\d{4})?$")
_RANGE = re.compile(
    r"^\s*(?P<low>-?\d+(?:\.\d+)?)\s*(?:-|–|to)\s*(?P<high>-?\d+(?:\.\d+)?)"
    r"|^\s*(?P<op>[<>]=?)\s*(?P<bound>-?\d+(?:\.\d+)?)"
)
_NUMBER = re.compile(r"^\s*[<>]?=?\s*(-?\d+(?:\.\d+)?)\s*$")
_FALLBACK_VERSION = "2.5"


@dataclass
class Hl7Result:
    """What one HL7 input yields: documents (ORU/MDM) and the patient and visit (any type)."""

    documents: list[Document] = field(default_factory=list)
    patient: Patient | None = None
    encounter: Encounter | None = None
    message_types: list[str] = field(default_factory=list)


@dataclass
class _Message:
    """One message's segments split with its own delimiters."""

    segments: list[list[str]]
    component: str
    repetition: str
    escape: str
    subcomponent: str

    def all(self, name: str) -> list[list[str]]:
        return [s for s in self.segments if s[0] == name]

    def first(self, name: str) -> list[str] | None:
        return next((s for s in self.segments if s[0] == name), None)

    def unescape(self, value: str) -> str:
        """Undo HL7 escape sequences (\\F\\, \\S\\, \\.br\\, \\Xhh\\, ...)."""
        e = self.escape
        if not e or e not in value:
            return value
        pattern = re.compile(re.escape(e) + r"([^" + re.escape(e) + r"]*)" + re.escape(e))

        def replace(m: re.Match[str]) -> str:
            code = m.group(1)
            simple = {"F": "|", "S": self.component, "T": self.subcomponent}
            simple.update({"R": self.repetition, "E": e, ".br": "\n", ".sp": "\n"})
            if code in simple:
                return simple[code]
            if code.startswith("X"):
                try:
                    return bytes.fromhex(code[1:]).decode("latin-1")
                except ValueError:
                    return ""
            return ""  # formatting commands (\H\, \N\, \.in\ ...) carry no text

        return pattern.sub(replace, value)

    def field(self, segment: list[str] | None, number: int) -> str:
        """Field ``number`` (HL7 numbering), first repetition, still escaped."""
        if segment is None:
            return ""
        index = number - 1 if segment[0] == "MSH" else number
        if index >= len(segment) or index < 1:
            return ""
        return segment[index].split(self.repetition)[0] if number != 2 else segment[index]

    def component_of(self, segment: list[str] | None, number: int, comp: int = 1) -> str:
        parts = self.field(segment, number).split(self.component)
        value = parts[comp - 1] if comp <= len(parts) else ""
        return self.unescape(value.split(self.subcomponent)[0]).strip()

    def text(self, segment: list[str] | None, number: int) -> str:
        """The whole field as readable text (components joined by spaces)."""
        raw = self.field(segment, number)
        parts = [self.unescape(p).strip() for p in raw.split(self.component)]
        return " ".join(p for p in parts if p)


def parse_hl7_timestamp(value: str) -> datetime | date | None:
    """Parse an HL7 TS/DTM (``YYYY[MM[DD[HH[MM[SS]]]]][+ZZZZ]``); date only when no time."""
    m = _TS.match(value.strip())
    if not m:
        return None
    year, month, day, hour, minute, second, zone = m.groups()
    try:
        if hour is None:
            return date(int(year), int(month or 1), int(day or 1))
        tz = None
        if zone:
            sign = 1 if zone[0] == "+" else -1
            tz = timezone(sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5])))
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute or 0),
            int(second or 0),
            tzinfo=tz,
        )
    except ValueError:
        return None


def _as_date(value: datetime | date | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def parse_reference_range(text: str) -> tuple[float | None, float | None]:
    """``136-145`` -> (136, 145); ``<5`` -> (None, 5); ``>60`` -> (60, None)."""
    m = _RANGE.match(text)
    if not m:
        return None, None
    if m.group("low") is not None:
        return float(m.group("low")), float(m.group("high"))
    bound = float(m.group("bound"))
    return (None, bound) if m.group("op").startswith("<") else (bound, None)


def _split_messages(text: str, source: str) -> list[str]:
    """Normalise segment separators and split a file into messages at each MSH."""
    text = text.strip().strip("\x0b\x1c").strip()
    text = text.replace("\r\n", "\r").replace("\n", "\r")
    segments = [s for s in text.split("\r") if s.strip()]
    if not segments:
        raise DocumentError(source, "empty HL7 input")
    segments = [s for s in segments if s[:3] not in ("FHS", "BHS", "BTS", "FTS")]
    if not segments or not segments[0].startswith("MSH"):
        first = segments[0][:3] if segments else ""
        raise DocumentError(source, f"not an HL7 v2 message: missing MSH segment (found {first!r})")
    messages: list[list[str]] = []
    for segment in segments:
        if segment.startswith("MSH"):
            messages.append([])
        messages[-1].append(segment)
    return ["\r".join(m) + "\r" for m in messages]


def _check_delimiters(er7: str, source: str) -> tuple[str, str]:
    """Validate MSH-1/MSH-2 before hl7apy sees them, for a clear message."""
    if len(er7) < 8:
        raise DocumentError(source, "MSH segment too short for field separator and encoding chars")
    sep = er7[3]
    if sep.isalnum() or sep.isspace():
        raise DocumentError(source, f"bad HL7 field separator {sep!r} in MSH-1")
    encoding = er7[4:].split(sep, 1)[0]
    if (
        len(encoding) not in (4, 5)
        or len(set(encoding + sep)) != len(encoding) + 1
        or any(c.isalnum() or c.isspace() for c in encoding)
    ):
        raise DocumentError(source, f"bad HL7 encoding characters {encoding!r} in MSH-2")
    return sep, encoding


def _parse_one(er7: str, source: str) -> tuple[_Message, str, list[str]]:
    sep, encoding = _check_delimiters(er7, source)
    warnings: list[str] = []
    try:
        parsed = parse_message(er7, validation_level=VALIDATION_LEVEL.TOLERANT, find_groups=False)
    except UnsupportedVersion:
        fields = er7.split("\r", 1)[0].split(sep)
        if len(fields) > 11:
            fields[11] = _FALLBACK_VERSION
        else:
            fields += [""] * (11 - len(fields)) + [_FALLBACK_VERSION]
        patched = sep.join(fields) + "\r" + er7.split("\r", 1)[1]
        warnings.append(f"unsupported or missing HL7 version; parsed as {_FALLBACK_VERSION}")
        try:
            parsed = parse_message(
                patched, validation_level=VALIDATION_LEVEL.TOLERANT, find_groups=False
            )
        except HL7apyException as exc:
            raise DocumentError(source, f"malformed HL7 message: {exc}") from exc
    except HL7apyException as exc:
        raise DocumentError(source, f"malformed HL7 message: {exc}") from exc
    message_type = str(parsed.name or "")
    segments = [s.split(sep) for s in er7.split("\r") if s]
    comp, rep, esc, sub = encoding[:4]
    return _Message(segments, comp, rep, esc, sub), message_type, warnings


def _patient(msg: _Message) -> Patient | None:
    pid = msg.first("PID")
    if pid is None:
        return None
    birth = _as_date(parse_hl7_timestamp(msg.component_of(pid, 7)))
    sex = msg.component_of(pid, 8).upper()
    name = " ".join(p for p in (msg.component_of(pid, 5, 2), msg.component_of(pid, 5, 1)) if p)
    return Patient(
        id=msg.component_of(pid, 3) or None,
        birth_date=birth,
        sex=_SEX.get(sex, "U" if sex else None),
        name=name or None,
    )


def _encounter(msg: _Message, warnings: list[str]) -> Encounter | None:
    pv1 = msg.first("PV1")
    if pv1 is None:
        return None
    patient_class = msg.component_of(pv1, 2).upper()
    setting = _PATIENT_CLASS.get(patient_class)
    encounter = Encounter(id=msg.component_of(pv1, 19) or msg.component_of(msg.first("MSH"), 10))
    if setting is None:
        encounter.warnings.append(f"unknown PV1-2 patient class {patient_class!r}")
        warnings.append(f"unknown PV1-2 patient class {patient_class!r}")
    else:
        encounter.setting = setting
    encounter.admission_date = _as_date(parse_hl7_timestamp(msg.component_of(pv1, 44)))
    encounter.discharge_date = _as_date(parse_hl7_timestamp(msg.component_of(pv1, 45)))
    return encounter


def _numeric(value_type: str, raw: str, msg: _Message) -> float | None:
    if value_type == "SN":  # structured numeric: comparator^num1^separator^num2
        parts = raw.split(msg.component)
        try:
            return float(parts[1]) if len(parts) > 1 and parts[1] and len(parts) < 4 else None
        except ValueError:
            return None
    m = _NUMBER.match(msg.unescape(raw))
    return float(m.group(1)) if m else None


def _render_oru(msg: _Message, doc: Document) -> None:
    """Render OBR/OBX/NTE as lines; numeric OBX become LabResults pointing at their line."""
    lines: list[str] = []
    offset = 0
    obr_time: datetime | date | None = None

    def add(line: str) -> tuple[int, int]:
        nonlocal offset
        line = normalize_text(line)
        start = offset
        lines.append(line)
        offset += len(line) + 1
        return start, start + len(line)

    for seg in msg.segments:
        kind = seg[0]
        if kind == "OBR":
            obr_time = parse_hl7_timestamp(msg.component_of(seg, 7))
            title = msg.component_of(seg, 4, 2) or msg.component_of(seg, 4, 1) or "Results"
            when = f" ({obr_time.isoformat(sep=' ')})" if obr_time else ""
            add(f"{title}{when}")
            if doc.created is None:
                doc.created = obr_time
        elif kind == "NTE":
            note = msg.text(seg, 3)
            if note:
                add(f"Note: {note}")
        elif kind == "OBX":
            _render_obx(msg, seg, obr_time, doc, add)
    doc.text = "\n".join(lines)


def _render_obx(msg: _Message, seg: list[str], obr_time, doc: Document, add) -> None:
    value_type = msg.component_of(seg, 2).upper()
    name = msg.component_of(seg, 3, 2) or msg.component_of(seg, 3, 1) or "Observation"
    code = msg.component_of(seg, 3, 1) or None
    raw_value = msg.field(seg, 5)
    if value_type in ("TX", "FT") or (value_type == "ST" and not _NUMBER.match(raw_value)):
        text = msg.unescape(raw_value).strip()
        add(f"{name}: {text}" if text else name)
        return
    value_text = msg.text(seg, 5)
    unit = msg.component_of(seg, 6, 1) or None
    ref_text = msg.unescape(msg.field(seg, 7)).strip() or None
    flag = msg.component_of(seg, 8) or None
    observed = parse_hl7_timestamp(msg.component_of(seg, 14)) or obr_time
    line = f"{name}: {value_text}" + (f" {unit}" if unit else "")
    if ref_text:
        line += f" (ref {ref_text})"
    if flag:
        line += f" [{flag}]"
    line = normalize_text(line)
    start, end = add(line)
    low, high = parse_reference_range(ref_text or "")
    doc.results.append(
        LabResult(
            name=name.strip().lower(),
            value=None if value_type in _TEXT_VALUE_TYPES else _numeric(value_type, raw_value, msg),
            unit=unit,
            raw_text=line,
            start=start,
            end=end,
            reference_low=low,
            reference_high=high,
            reference_text=ref_text,
            abnormal_flag=flag,
            observed_at=observed,
            source_code=code,
        )
    )


def _render_mdm(msg: _Message, doc: Document) -> None:
    """Take TXA metadata and join the OBX text lines as the document text."""
    txa = msg.first("TXA")
    if txa is not None:
        doc.kind = msg.component_of(txa, 2, 2) or msg.component_of(txa, 2, 1) or None
        author = [msg.component_of(txa, 5, i) for i in (6, 3, 4, 2)]
        doc.author = " ".join(p for p in author if p) or None
        doc.created = parse_hl7_timestamp(msg.component_of(txa, 6)) or parse_hl7_timestamp(
            msg.component_of(txa, 4)
        )
        number = msg.component_of(txa, 12)
        if number:
            doc.metadata["document_number"] = number
        status = msg.component_of(txa, 17)
        if status:
            doc.metadata["completion_status"] = status
    lines = [
        msg.unescape(msg.field(seg, 5))
        for seg in msg.all("OBX")
        if msg.component_of(seg, 2).upper() in ("TX", "FT", "ST", "")
    ]
    doc.text = normalize_text("\n".join(lines))


def read_hl7(
    data: bytes | str | Path, *, name: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Hl7Result:
    """Read one or more HL7 v2 messages (``\\r``, ``\\n`` or ``\\r\\n`` separated).

    Raises :class:`DocumentError` for a missing MSH, bad delimiters or an unparsable message.
    """
    if isinstance(data, str | Path) and not str(data).lstrip().startswith("MSH"):
        source = str(data)
        raw = read_bytes_limited(data, max_bytes)
    else:
        source = name or "<hl7>"
        raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        check_size(raw, source, max_bytes)
    text, decode_warnings = decode_bytes(raw, source)
    result = Hl7Result()
    messages = _split_messages(text, source)
    stem = Path(name or source).stem or "hl7"
    for index, er7 in enumerate(messages):
        msg, message_type, warnings = _parse_one(er7, source)
        warnings = decode_warnings + warnings
        result.message_types.append(message_type)
        result.patient = _patient(msg) or result.patient
        result.encounter = _encounter(msg, warnings) or result.encounter
        control_id = msg.component_of(msg.first("MSH"), 10)
        doc_id = control_id or (stem if len(messages) == 1 else f"{stem}-{index + 1}")
        doc = Document(id=doc_id, text="", source=source, format="hl7v2", warnings=warnings)
        doc.metadata["message_type"] = message_type
        family = message_type.split("_")[0]
        if family == "ORU":
            doc.kind = "lab report"
            _render_oru(msg, doc)
        elif family == "MDM":
            _render_mdm(msg, doc)
        else:
            continue  # ADT and others: demographics and visit only
        if not doc.text.strip():
            doc.warnings.append(f"{message_type} message without text")
        result.documents.append(doc)
    if result.encounter is not None and result.patient is not None:
        result.encounter.patient = result.patient
    return result
