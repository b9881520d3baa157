"""PDF reader: text layer, pages, scanned and malformed PDFs."""

from __future__ import annotations

import pytest

from medcoder.documents.pdf_reader import read_pdf
from medcoder.errors import DocumentError


def test_text_layer_is_read_with_page_offsets(make_pdf, tmp_path):
    path = tmp_path / "note.pdf"
    path.write_bytes(
        make_pdf(
            [["CHIEF COMPLAINT: Cough.", "HPI: Synthetic patient (age 70)."], ["PLAN: Rest."]],
            author="Dr. Synthetic",
        )
    )
    doc = read_pdf(path)
    assert path.stat().st_size < 20_000
    assert doc.format == "pdf"
    assert doc.id == "note"
    assert "CHIEF COMPLAINT: Cough." in doc.text
    assert len(doc.pages) == 2 and doc.pages[0] == 0
    plan = doc.text.index("PLAN: Rest.")
    assert doc.page_at(plan) == 2
    assert doc.page_at(doc.text.index("Cough")) == 1
    assert doc.text[doc.pages[1] :].startswith("PLAN")
    assert doc.author == "Dr. Synthetic"


def test_scanned_pdf_without_text_layer_is_refused(make_pdf):
    with pytest.raises(DocumentError, match="no text layer; scanned PDF needs OCR"):
        read_pdf(make_pdf([None, None]), name="scan.pdf")


def test_partly_scanned_pdf_warns_about_pages_without_text(make_pdf):
    doc = read_pdf(make_pdf([["Page one text."], None]), name="mixed.pdf")
    assert doc.text.startswith("Page one text.")
    assert len(doc.pages) == 2
    assert any("2" in w and "OCR" in w for w in doc.warnings)


def test_truncated_pdf_is_a_document_error(make_pdf):
    data = make_pdf([["Some text."]])
    with pytest.raises(DocumentError):
        read_pdf(data[:40], name="broken.pdf")


def test_non_pdf_bytes_are_refused():
    with pytest.raises(DocumentError, match="not a PDF"):
        read_pdf(b"hello world", name="fake.pdf")


def test_oversize_pdf_is_refused(make_pdf):
    with pytest.raises(DocumentError, match="limit"):
        read_pdf(make_pdf([["x"]]), name="a.pdf", max_bytes=100)
