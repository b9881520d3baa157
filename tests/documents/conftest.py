"""Fixtures for the document reader tests: tiny PDFs written byte by byte.

No PDF writer is a dependency, so the test PDFs are assembled here by hand (objects, a
Helvetica text stream per page, a correct xref table); a page without a text stream stands
in for a scanned page.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def build_pdf(pages: list[list[str] | None], *, author: str | None = None) -> bytes:
    """A minimal valid PDF; each page is a list of text lines, or None for an image-only page."""
    objects: list[bytes] = []
    n_pages = len(pages)
    page_ids = [4 + 2 * i for i in range(n_pages)]
    kids = " ".join(f"{pid} 0 R" for pid in page_ids)
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for lines in pages:
        content_id = len(objects) + 2
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {content_id} 0 R >>".encode()
        )
        if lines is None:
            stream = b"q 100 0 0 100 50 600 cm Q"  # draws nothing readable: a "scan"
        else:
            ops = ["BT", "/F1 11 Tf", "14 TL", "50 740 Td"]
            for line in lines:
                ops.append(f"({_escape(line)}) Tj T*")
            ops.append("ET")
            stream = "\n".join(ops).encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    info_id = None
    if author:
        objects.append(f"<< /Author ({_escape(author)}) /Title (Synthetic note) >>".encode())
        info_id = len(objects)
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    info = f" /Info {info_id} 0 R" if info_id else ""
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R{info} >>\n".encode()
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


@pytest.fixture
def make_pdf() -> Callable[..., bytes]:
    return build_pdf
