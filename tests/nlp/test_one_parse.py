"""One assertion parse per document (issue 14: "one annotated document ... none re-annotates").

The coding pipeline tokenises a note once for the assertion engine; procedures, services
(E/M, HCPCS drugs and fluids, CPT), CDI and casework ask that parse about their own spans.
The parse gives the same answers as annotating the spans on their own, and spaCy's tokenizer,
kept warm across notes, gives the same tokens as a fresh one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.lang.en import English

import medcoder
from medcoder.documents.model import Document
from medcoder.documents.sections import segment
from medcoder.nlp import context as context_module
from medcoder.nlp.annotator import assertion_roles, context_of
from medcoder.nlp.context import ContextAnnotator, _compile, _make_doc
from medcoder.nlp.model import Assertion

VISIT = """CHIEF COMPLAINT:  Right knee pain.

HISTORY OF PRESENT ILLNESS:  Mr. Okafor is a 61-year-old man seen by Dr. Lee at 9 a.m. today
for right knee pain, worse on stairs.  He denies fever or chills.  No history of gout.  His
brother's knee replacement went well.

PAST MEDICAL HISTORY:  Hypertension.  Type 2 diabetes mellitus.

MEDICATIONS:  Lisinopril 20 mg daily, metformin 500 mg b.i.d.

PROCEDURE:  After informed consent, the risks of the injection including bleeding, infection
and tendon rupture were discussed and he wished to proceed.  The right knee was prepped with
chlorhexidine and injected with 40 mg of Kenalog and 4 mL of 1% lidocaine.  He tolerated
the procedure well.

ASSESSMENT AND PLAN:
1.  Primary osteoarthritis of the right knee.  Return if the swelling worsens.
2.  Hypertension, controlled.
"""


def _spans(text: str, *words: str) -> list[tuple[int, int]]:
    out = []
    for word in words:
        start = text.index(word)
        out.append((start, start + len(word)))
    return out


def test_warm_tokenizer_gives_the_tokens_of_a_fresh_one():
    """spaCy stops caching a text's chunks after its first exception ("Dr.", "a.m."); the
    primed cache must not change a single token or space."""
    fresh = English().make_doc(VISIT)
    compiled = _compile(True)
    for text in (VISIT, VISIT.upper(), VISIT.replace("  ", " ")):
        _make_doc(compiled, text)
    warm = _make_doc(compiled, VISIT)
    assert [(t.text, t.whitespace_) for t in warm] == [(t.text, t.whitespace_) for t in fresh]


def test_primed_chunks_stop_at_the_limit(monkeypatch: pytest.MonkeyPatch):
    compiled = _compile(True)
    monkeypatch.setattr(context_module, "MAX_PRIMED_CHUNKS", len(compiled.primed))
    before = set(compiled.primed)
    _make_doc(compiled, "zyxwvut-never-seen-before qqqq-unseen-chunk.")
    assert compiled.primed == before


def test_one_parse_answers_as_annotating_the_spans_alone():
    document = segment(Document(id="visit", text=VISIT))
    roles = assertion_roles(document.text, document.sections, document.sentences)
    spans = _spans(VISIT, "fever", "gout", "knee replacement", "swelling", "Hypertension")
    parse = ContextAnnotator().parse(VISIT, roles)
    alone = ContextAnnotator().annotate(VISIT, spans, roles)
    assert parse.assertions(spans) == alone
    assert parse.assertions(spans[:2]) == alone[:2]  # asked again, in part: same answers
    assert [r.assertion for r in alone] == [
        Assertion.NEGATED,
        Assertion.NEGATED,
        Assertion.FAMILY,
        Assertion.HYPOTHETICAL,
        Assertion.HISTORICAL,
    ]


def test_risks_in_a_consent_discussion_are_hypothetical_for_every_reader():
    """The roles every reader shares cut consent and risk discussions in as ``risk``: "the
    risks of the injection including bleeding, infection" says nothing the patient has."""
    document = Document(id="visit", text=VISIT)
    bleeding, rupture, osteoarthritis = context_of(document).assertions(
        _spans(VISIT, "bleeding", "tendon rupture", "osteoarthritis")
    )
    assert bleeding.assertion is Assertion.HYPOTHETICAL
    assert rupture.assertion is Assertion.HYPOTHETICAL
    assert osteoarthritis.assertion is Assertion.PRESENT


@pytest.fixture
def tokenisations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Texts handed to the assertion engine's tokenizer, by length."""
    seen: list[int] = []
    real = context_module._make_doc

    def counting(compiled, text):  # noqa: ANN001, ANN202
        seen.append(len(text))
        return real(compiled, text)

    monkeypatch.setattr(context_module, "_make_doc", counting)
    return seen


def test_coding_all_systems_tokenises_the_note_once(built_packs: Path, tokenisations: list[int]):
    """Diagnoses, ICD-10-PCS, E/M, HCPCS drugs and fluids all read the one parse."""
    result = medcoder.code(VISIT, setting="outpatient")
    assert {"ICD-10-CM", "CPT"} <= {c.system for c in result.codes}  # diagnoses and E/M ran
    assert tokenisations == [len(VISIT)]


def test_cdi_reads_the_annotated_documents_parse(built_packs: Path, tokenisations: list[int]):
    from medcoder.cdi.opportunities import find
    from medcoder.coding.api import engine_for

    annotated = engine_for("inpatient", None, None).annotate(Document(id="visit", text=VISIT))
    annotated.assertions([(0, 5)])  # the pipeline has parsed it
    assert tokenisations == [len(VISIT)]
    find(annotated, "inpatient")
    assert tokenisations == [len(VISIT)]
