"""CPT procedure candidates from a synthetic licensed file (made-up codes and descriptors)."""

from __future__ import annotations

from datetime import date

import pytest

from medcoder.codesets.cpt import build_cpt_pack
from medcoder.documents.model import Document
from medcoder.services.cpt_procedures import cpt_procedure_suggestions
from medcoder.services.service_codes import modifiers_of

ON = date(2024, 5, 1)


@pytest.fixture
def cpt_pack(fixtures):
    return build_cpt_pack(fixtures / "services" / "synthetic_cpt_services.csv", 2024)


def _procedures(text: str):
    codes, warnings = cpt_procedure_suggestions(Document("n", text), on=ON)
    return codes, warnings


def test_without_a_cpt_file_nothing_but_a_warning():
    codes, warnings = _procedures("PROCEDURE: aspiration of fluid from the right knee joint.")
    assert codes == []
    assert any("no licensed CPT file" in w for w in warnings)


def test_words_in_any_order_match_with_evidence_and_laterality(cpt_pack):
    text = "PROCEDURE: Right knee joint fluid aspiration performed under sterile technique."
    codes, _ = _procedures(text)
    assert [c.code for c in codes] == ["00011"]
    code = codes[0]
    assert code.description.startswith("Aspiration of fluid")
    assert modifiers_of(code) == ["RT"]
    assert any(line.startswith('modifier RT: "right knee"') for line in code.path)
    ev = code.evidence[0]
    assert text[ev.start : ev.end] == ev.text and "aspiration" in ev.text


def test_bilateral_is_modifier_50(cpt_pack):
    codes, _ = _procedures("PROCEDURE: Bilateral knee joint aspiration of fluid.")
    assert modifiers_of(codes[0]) == ["50"]


def test_distinct_site_is_xs_never_59(cpt_pack):
    codes, _ = _procedures(
        "PROCEDURE: Excision of skin lesion of the trunk at a separate site from the biopsy."
    )
    assert [c.code for c in codes] == ["00012"]
    assert modifiers_of(codes[0]) == ["XS"]
    assert "59" not in modifiers_of(codes[0])


def test_repeat_by_another_physician_is_77(cpt_pack):
    codes, _ = _procedures(
        "FINDINGS: Repeat radiologic examination of the chest by another physician today."
    )
    assert modifiers_of(codes[0]) == ["77"]


def test_professional_component_and_return_to_or(cpt_pack):
    codes, _ = _procedures(
        "Radiologic examination of chest, professional component only.\n"
        "Unplanned return to the operating room for drainage of skin abscess."
    )
    by_code = {c.code: modifiers_of(c) for c in codes}
    assert "26" in by_code["00013"] and "78" in by_code["00014"]


@pytest.mark.parametrize(
    "text",
    [
        "No drainage of the skin abscess was performed.",
        "PLAN: aspiration of fluid from the knee joint next week.",
        "PAST SURGICAL HISTORY: excision of skin lesion of the trunk.",
        "Patient seen for cough.",
    ],
)
def test_negated_planned_or_past_procedures_are_not_coded(cpt_pack, text):
    codes, _ = _procedures(text)
    assert codes == []


def test_em_codes_are_never_procedure_candidates(cpt_pack):
    codes, _ = _procedures("Synthetic descriptor 1 and synthetic descriptor 2.")
    assert codes == []
