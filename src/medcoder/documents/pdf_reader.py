"""PDF reader for documents that carry a text layer.

Most clinical PDFs are printed from an EHR and carry text; scanned faxes carry only images.
We never guess at an image: a PDF without extractable text is refused with a message that
says OCR is needed, rather than silently yielding an empty document that codes to nothing.
Pages are kept as start offsets so that a citation can name the page.
"""

from __future__ import annotations

import io
import logging
import re
from datetime import datetime
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from medcoder.documents.model import Document
from medcoder.documents.text_reader import (
    DEFAULT_MAX_BYTES,
    PDF_MAGIC,
    check_size,
    normalize_text,
    read_bytes_limited,
)
from medcoder.errors import DocumentError

PAGE_SEPARATOR = "\n\n"
_TRAILING_SPACES = re.compile(r"[ \t]+\n")

# pypdf logs warnings about malformed objects that may quote document content.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def _open(raw: bytes, source: str) -> PdfReader:
    if PDF_MAGIC not in raw[:1024]:
        raise DocumentError(source, "not a PDF (no %PDF- header)")
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError(source, "encrypted PDF needs a password")
        return reader
    except DocumentError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise DocumentError(source, f"malformed PDF: {exc}") from exc


def _metadata(reader: PdfReader, document: Document) -> None:
    """Copy author, title and creation date from the PDF info dictionary when present."""
    try:
        info = reader.metadata
    except (PyPdfError, ValueError, KeyError, TypeError):
        document.warnings.append("unreadable PDF info dictionary")
        return
    if not info:
        return
    if info.author:
        document.author = str(info.author).strip() or None
    if info.title:
        document.metadata["title"] = str(info.title).strip()
    try:
        created = info.creation_date
    except (ValueError, TypeError):
        created = None
    if isinstance(created, datetime):
        document.created = created


def read_pdf(
    data: bytes | str | Path,
    *,
    name: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Document:
    """Read a text-layer PDF; ``Document.pages`` holds each page's start offset.

    Raises :class:`DocumentError` for malformed, encrypted or scanned (image-only) PDFs.
    """
    if isinstance(data, bytes | bytearray):
        source = name or "<bytes>"
        raw = bytes(data)
        check_size(raw, source, max_bytes)
    else:
        source = str(data)
        raw = read_bytes_limited(data, max_bytes)
    reader = _open(raw, source)

    parts: list[str] = []
    pages: list[int] = []
    empty_pages: list[int] = []
    offset = 0
    try:
        page_list = list(reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise DocumentError(source, f"malformed PDF page tree: {exc}") from exc
    for number, page in enumerate(page_list, start=1):
        try:
            page_text = page.extract_text() or ""
        except (PyPdfError, ValueError, KeyError, TypeError) as exc:
            raise DocumentError(source, f"cannot extract text of page {number}: {exc}") from exc
        page_text = _TRAILING_SPACES.sub("\n", normalize_text(page_text)).strip("\n")
        if not page_text.strip():
            empty_pages.append(number)
        if parts:
            parts.append(PAGE_SEPARATOR)
            offset += len(PAGE_SEPARATOR)
        pages.append(offset)
        parts.append(page_text)
        offset += len(page_text)

    text = "".join(parts)
    if not text.strip():
        raise DocumentError(source, "no text layer; scanned PDF needs OCR")
    document = Document(
        id=Path(name or source).stem or "document",
        text=text,
        source=source,
        format="pdf",
        pages=pages,
    )
    if empty_pages:
        listed = ", ".join(map(str, empty_pages))
        document.warnings.append(f"pages without a text layer (need OCR): {listed}")
    _metadata(reader, document)
    return document
