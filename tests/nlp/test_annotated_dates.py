"""The annotated document's dates: read once, by the one date parser."""

from __future__ import annotations

from datetime import date, datetime

from medcoder.documents.model import Document
from medcoder.nlp.annotated import AnnotatedDocument


def test_the_annotated_document_holds_the_dates_of_its_text_read_once() -> None:
    text = (
        "PROGRESS NOTE\nDOB: 02/11/1961\nAdmitted 2/14/2023 with pneumonia.\n"
        "Na 126 mmol/L on 02/15/2023 06:00, Na 131 mmol/L on Feb 16, 2023.\nPOD 2: afebrile."
    )
    annotated = AnnotatedDocument(Document(id="n1", text=text))
    dates = annotated.dates
    assert [(text[d.start : d.end], d.value) for d in dates] == [
        ("2/14/2023", date(2023, 2, 14)),
        ("02/15/2023 06:00", datetime(2023, 2, 15, 6, 0)),
        ("Feb 16, 2023", date(2023, 2, 16)),
    ]  # the date of birth dates nothing; "POD 2" has no calendar date of its own
    assert annotated.dates is dates
