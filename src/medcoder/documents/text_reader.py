"""Plain-text and dictated-transcription reader.

Clinical text arrives from many systems: UTF-8 with or without a byte-order mark, UTF-16
exports from Windows tools, and old cp1252 files from dictation systems. Every later stage
cites character offsets into ``Document.text``, so this module decides once how raw bytes
become text (decoding, line endings, Unicode normalisation) and every offset points into that
normalised text. Readers of other formats (PDF) reuse :func:`normalize_text` so that all
documents obey the same rules.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path

from medcoder.documents.dates import parse_date
from medcoder.documents.model import Document
from medcoder.errors import DocumentError

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
# The signature that makes bytes a PDF; here rather than in pdf_reader so that sniffing a
# format does not import pypdf (a cold-start cost for every plain-text run).
PDF_MAGIC = b"%PDF-"

# Characters that look like a space but are not U+0020; NLP tokenisers treat them as letters.
_SPACE_LIKE = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u2000\u2001\u2002\u2003\u2004"), " ")
_SPACE_LIKE.update(dict.fromkeys(map(ord, "\u2005\u2006\u2008\u2009\u200a\u205f\u3000"), " "))
# Invisible characters carry no text and break word matching.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_LINE_SEPARATORS = {0x2028: "\n", 0x2029: "\n", 0x0C: "\n", 0x0B: "\n", 0x85: "\n"}
# Other C0/C1 control characters (not tab or newline) become spaces.
_CONTROLS = {c: " " for c in [*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F, *range(0x80, 0xA0)]}
_CONTROLS.pop(0x85)
_TRANSLATION = {**_CONTROLS, **_SPACE_LIKE, **_INVISIBLE, **_LINE_SEPARATORS}

_BINARY_SAMPLE = 8192
_BINARY_CONTROL_RATIO = 0.10


def normalize_text(text: str) -> str:
    """Normalise text once, so offsets mean the same thing for every reader.

    CRLF and lone CR become LF, the result is NFC-composed, odd spaces become U+0020,
    zero-width characters are dropped, tabs are kept. Offsets are into the returned string.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    return text.translate(_TRANSLATION)


def _looks_binary(data: bytes) -> bool:
    """True for bytes that are not text: NUL bytes or many control characters."""
    sample = data[:_BINARY_SAMPLE]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 0x20 and b not in (0x09, 0x0A, 0x0C, 0x0D))
    return controls > _BINARY_CONTROL_RATIO * max(len(sample), 1)


def _utf16_without_bom(data: bytes) -> str | None:
    """Guess UTF-16 without a BOM: ASCII text has a NUL in every other byte."""
    sample = data[:_BINARY_SAMPLE]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even_nuls = sample[0::2].count(0) / (len(sample) // 2)
    odd_nuls = sample[1::2].count(0) / (len(sample) // 2)
    if odd_nuls > 0.9 and even_nuls < 0.1:
        encoding = "utf-16-le"
    elif even_nuls > 0.9 and odd_nuls < 0.1:
        encoding = "utf-16-be"
    else:
        return None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def decode_bytes(data: bytes, source: str) -> tuple[str, list[str]]:
    """Decode raw bytes to text, returning ``(text, warnings)``.

    The order matters: BOMs are authoritative; UTF-8 is tried strictly before the legacy
    fallbacks, because cp1252 decodes almost anything and would hide a UTF-8 file.
    """
    warnings: list[str] = []
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), warnings
        except UnicodeDecodeError as exc:
            raise DocumentError(source, f"UTF-8 byte-order mark but invalid UTF-8: {exc}") from exc
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), warnings
        except UnicodeDecodeError as exc:
            raise DocumentError(
                source, f"UTF-16 byte-order mark but invalid UTF-16: {exc}"
            ) from exc
    if b"\x00" in data[:_BINARY_SAMPLE]:
        text = _utf16_without_bom(data)
        if text is not None:
            warnings.append("no byte-order mark; decoded as UTF-16")
            return text, warnings
    if _looks_binary(data):
        raise DocumentError(source, "binary file (NUL or control bytes), not text")
    try:
        return data.decode("utf-8"), warnings
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
        warnings.append("not valid UTF-8; decoded as cp1252 (Windows-1252)")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        warnings.append("not valid UTF-8; decoded as Latin-1 (ISO-8859-1)")
    return text, warnings


def read_bytes_limited(path: str | Path, max_bytes: int) -> bytes:
    """Read a file, refusing it before reading when it is larger than ``max_bytes``."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise DocumentError(str(path), _too_large(size, max_bytes))
        return path.read_bytes()
    except OSError as exc:
        raise DocumentError(str(path), f"cannot read file: {exc.strerror or exc}") from exc


def _too_large(size: int, max_bytes: int) -> str:
    return f"file is {size:,} bytes, over the {max_bytes:,}-byte limit"


def check_size(data: bytes, source: str, max_bytes: int) -> None:
    if len(data) > max_bytes:
        raise DocumentError(source, _too_large(len(data), max_bytes))


# --- light header metadata ---------------------------------------------------------------

_TITLE_KINDS = {
    "discharge summary": "discharge summary",
    "operative report": "operative note",
    "operative note": "operative note",
    "procedure note": "procedure note",
    "history and physical": "history and physical",
    "consultation": "consultation",
    "progress note": "progress note",
    "emergency department": "emergency department note",
    "radiology report": "radiology report",
    "pathology report": "pathology report",
}
_AUTHOR_RE = re.compile(
    r"^[ \t]*(?:dictated by|electronically signed by|signed by|author|attending physician|"
    r"attending|provider|physician)[ \t]*:[ \t]*(?P<value>[^\n]{2,80})$",
    re.I | re.M,
)
_DATE_RE = re.compile(
    r"^[ \t]*(?:date of service|service date|date of visit|visit date|date of dictation|"
    r"dictation date|date of report|report date|date)[ \t]*:[ \t]*(?P<value>[^\n]{6,40})$",
    re.I | re.M,
)
_HEAD_CHARS = 2000


def _fill_header_metadata(document: Document) -> None:
    """Take author, date and note kind from labelled header/footer lines when present.

    Only explicit labels are trusted: guessing an author from free text would put a
    wrong name on a citation.
    """
    text = document.text
    head_and_tail = text[:_HEAD_CHARS] + "\n" + text[-_HEAD_CHARS:]
    m = _AUTHOR_RE.search(head_and_tail)
    if m:
        document.author = m.group("value").strip()
    m = _DATE_RE.search(head_and_tail)
    if m:
        document.created = parse_date(m.group("value"))  # the one date parser
    first_lines = text.lstrip()[:200].lower()
    for title, kind in _TITLE_KINDS.items():
        if first_lines.startswith(title):
            document.kind = kind
            break


def text_document(
    text: str, *, doc_id: str, source: str, warnings: list[str] | None = None
) -> Document:
    """Build a text Document from already decoded text (normalises it)."""
    normalised = normalize_text(text)
    if not normalised.strip():
        raise DocumentError(source, "empty document (no text)")
    document = Document(
        id=doc_id, text=normalised, source=source, format="text", warnings=list(warnings or [])
    )
    _fill_header_metadata(document)
    return document


def read_text(
    data: bytes | str | Path,
    *,
    name: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Document:
    """Read a plain-text note or transcription from a path or raw bytes.

    Raises :class:`DocumentError` for empty, binary or oversize input.
    """
    if isinstance(data, bytes | bytearray):
        source = name or "<bytes>"
        raw = bytes(data)
        check_size(raw, source, max_bytes)
    else:
        source = str(data)
        raw = read_bytes_limited(data, max_bytes)
    if not raw.strip():
        raise DocumentError(source, "empty document (no text)")
    text, warnings = decode_bytes(raw, source)
    doc_id = Path(name or source).stem or "document"
    return text_document(text, doc_id=doc_id, source=source, warnings=warnings)
