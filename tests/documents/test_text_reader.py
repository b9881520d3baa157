"""Plain-text reader: decoding, normalisation, refusals."""

from __future__ import annotations

import codecs
from datetime import date

import pytest

from medcoder.documents.text_reader import normalize_text, read_text
from medcoder.errors import DocumentError

NOTE = "CHIEF COMPLAINT:\nChest pain.\n\nASSESSMENT:\nAngina.\n"


def test_utf8_file_is_read_with_stem_as_id_and_path_as_source(tmp_path):
    path = tmp_path / "visit-01.txt"
    path.write_text(NOTE, encoding="utf-8")
    doc = read_text(path)
    assert doc.text == NOTE
    assert doc.id == "visit-01"
    assert doc.source == str(path)
    assert doc.format == "text"
    assert doc.warnings == []


def test_utf8_bom_is_dropped():
    doc = read_text(codecs.BOM_UTF8 + "Café visit.".encode(), name="n.txt")
    assert doc.text == "Café visit."
    assert doc.warnings == []


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom_is_decoded(encoding):
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(encoding, b"")
    data = bom + "Naïve patient.\r\nSecond line.".encode(encoding)
    doc = read_text(data, name="dictation.txt")
    assert doc.text == "Naïve patient.\nSecond line."


def test_utf16_without_bom_is_decoded_with_a_warning():
    doc = read_text("Plain ASCII dictation text.".encode("utf-16-le"), name="d.txt")
    assert doc.text == "Plain ASCII dictation text."
    assert any("UTF-16" in w for w in doc.warnings)


def test_cp1252_falls_back_with_warning():
    data = "Patient’s temp 38°C – febrile.".encode("cp1252")
    doc = read_text(data, name="old.txt")
    assert doc.text == "Patient’s temp 38°C – febrile."
    assert any("cp1252" in w for w in doc.warnings)


def test_latin1_bytes_undefined_in_cp1252_fall_back_to_latin1():
    data = b"Temp 38\xb0C \x81 end"  # 0x81 is undefined in cp1252
    doc = read_text(data, name="latin.txt")
    assert doc.text.startswith("Temp 38°C")
    assert any("Latin-1" in w for w in doc.warnings)


def test_crlf_and_cr_become_lf_and_tabs_are_kept():
    doc = read_text(b"a\r\nb\rc\td", name="x.txt")
    assert doc.text == "a\nb\nc\td"


def test_odd_unicode_is_normalised_and_offsets_point_into_normalised_text():
    raw = "BP\u00a0120/80,\u200b cafe\u0301 \u201cquoted\u201d\x07"
    text = normalize_text(raw)
    assert text == "BP 120/80, café \u201cquoted\u201d "
    doc = read_text(raw.encode("utf-8"), name="u.txt")
    start = doc.text.index("café")
    assert doc.text[start : start + 4] == "café"


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n  "])
def test_empty_or_whitespace_only_file_is_refused(data):
    with pytest.raises(DocumentError, match="empty"):
        read_text(data, name="empty.txt")


def test_empty_file_on_disk_is_refused(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(DocumentError, match="empty"):
        read_text(path)


@pytest.mark.parametrize(
    "data",
    [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), bytes(range(1, 32)) * 20],
)
def test_binary_file_is_refused(data):
    with pytest.raises(DocumentError, match="binary"):
        read_text(data, name="image.png")


def test_oversize_input_is_refused_naming_the_size(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 2048)
    with pytest.raises(DocumentError, match="2,048 bytes.*1,000-byte limit"):
        read_text(path, max_bytes=1000)
    with pytest.raises(DocumentError, match="2,048 bytes"):
        read_text(b"x" * 2048, name="big.txt", max_bytes=1000)


def test_missing_file_is_a_document_error(tmp_path):
    with pytest.raises(DocumentError, match="cannot read"):
        read_text(tmp_path / "nope.txt")


def test_labelled_author_date_and_title_are_taken_from_the_header():
    note = (
        "DISCHARGE SUMMARY\nDate of Service: 03/05/2023\n\nHOSPITAL COURSE:\nImproved.\n\n"
        "Dictated by: Dr. Synthetic Attending\n"
    )
    doc = read_text(note.encode(), name="ds.txt")
    assert doc.kind == "discharge summary"
    assert doc.author == "Dr. Synthetic Attending"
    assert doc.created == date(2023, 3, 5)
