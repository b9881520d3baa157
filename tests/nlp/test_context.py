"""Assertion detection: sentence -> target phrase -> expected assertion."""

from __future__ import annotations

import pytest

from medcoder.nlp.context import RULE_SET, ContextAnnotator, annotate_mentions, overlay_roles
from medcoder.nlp.model import Assertion, Mention

A = Assertion
TABLE = [
    ("No evidence of pneumonia.", "pneumonia", A.NEGATED),
    ("Rule out MI.", "MI", A.POSSIBLE),
    ("r/o sepsis.", "sepsis", A.POSSIBLE),
    ("History of breast cancer, status post mastectomy.", "breast cancer", A.HISTORICAL),
    ("Mother had diabetes.", "diabetes", A.FAMILY),
    ("If symptoms worsen, return to the ED.", "symptoms", A.HYPOTHETICAL),
    ("Denies chest pain but reports dyspnea.", "chest pain", A.NEGATED),
    ("Denies chest pain but reports dyspnea.", "dyspnea", A.PRESENT),
    ("Pneumonia was ruled out.", "Pneumonia", A.RULED_OUT),
    ("Probable urinary tract infection.", "urinary tract infection", A.POSSIBLE),
    ("Patient has hypertension.", "hypertension", A.PRESENT),
    ("Negative for fever, chills or weight loss.", "fever", A.NEGATED),
    ("Negative for fever, chills or weight loss.", "chills", A.NEGATED),
    ("Negative for fever, chills or weight loss.", "weight loss", A.NEGATED),
    ("Family history of colon cancer.", "colon cancer", A.FAMILY),
    ("Suspected appendicitis.", "appendicitis", A.POSSIBLE),
    ("Former smoker, quit 10 years ago.", "smoker", A.HISTORICAL),
    ("Current smoker.", "smoker", A.PRESENT),
    (
        "No history of nephrolithiasis, hematuria or urinary tract infections.",
        "nephrolithiasis",
        A.NEGATED,
    ),
    (
        "No history of nephrolithiasis, hematuria or urinary tract infections.",
        "hematuria",
        A.NEGATED,
    ),
    (
        "No history of nephrolithiasis, hematuria or urinary tract infections.",
        "urinary tract infections",
        A.NEGATED,
    ),
    ("MI has not been ruled out.", "MI", A.POSSIBLE),
    ("Cannot exclude pulmonary embolism.", "pulmonary embolism", A.POSSIBLE),
    ("Pulmonary embolism cannot be excluded.", "Pulmonary embolism", A.POSSIBLE),
    ("Findings consistent with pneumonia.", "pneumonia", A.POSSIBLE),
    ("Likely viral pneumonia.", "viral pneumonia", A.POSSIBLE),
    ("Questionable fracture of the wrist.", "fracture", A.POSSIBLE),
    ("Patient s/p CABG.", "CABG", A.HISTORICAL),
    ("h/o DVT in 2015.", "DVT", A.HISTORICAL),
    ("Previous stroke without residual deficits.", "stroke", A.HISTORICAL),
    ("Brother with colon cancer.", "colon cancer", A.FAMILY),
    ("Diabetes in his father.", "Diabetes", A.FAMILY),
    ("Watch for bleeding.", "bleeding", A.HYPOTHETICAL),
    ("Return if fever develops.", "fever", A.HYPOTHETICAL),
    ("Should chest pain develop, call 911.", "chest pain", A.HYPOTHETICAL),
    ("Patient denies nausea; reports vomiting.", "vomiting", A.PRESENT),
    ("No pneumonia, however there is a pleural effusion.", "pleural effusion", A.PRESENT),
    ("Chest pain, MI ruled out.", "Chest pain", A.PRESENT),
    ("Chest pain, MI ruled out.", "MI", A.RULED_OUT),
    ("Sepsis has been ruled out.", "Sepsis", A.RULED_OUT),
    ("Free of recurrence.", "recurrence", A.NEGATED),
    ("Abdomen soft, without tenderness.", "tenderness", A.NEGATED),
    ("Pneumonia?", "Pneumonia", A.POSSIBLE),
    ("Admitted with sepsis due to pneumonia.", "pneumonia", A.PRESENT),
    # "No history of interest" says nothing relevant is known; it negates nothing that follows.
    (
        "A woman with no history of interest presented with pollakiuria.",
        "pollakiuria",
        A.PRESENT,
    ),
    ("No relevant medical history. Dyspnea on exertion.", "Dyspnea", A.PRESENT),
    ("No significant past history, smoker.", "smoker", A.PRESENT),
    # A procedure that was not done does not negate the finding that stopped it.
    ("The examination could not be performed due to intense pain.", "pain", A.PRESENT),
    # ", with" and "presented" close a negation's scope.
    ("Without known allergies, with dyslipidemia and hypertension.", "hypertension", A.PRESENT),
    ("Without known allergies, with dyslipidemia and hypertension.", "allergies", A.NEGATED),
    ("No fever; she presented hematuria.", "hematuria", A.PRESENT),
    ("No fever or hematuria, presented with cough.", "cough", A.PRESENT),
    ("No fever or hematuria, presented with cough.", "hematuria", A.NEGATED),
    # Real-note phrasings the error list shows (assertion_rules.v1 additions).
    (
        "ProstaScint scan that was negative for any metastatic disease.",
        "metastatic disease",
        A.NEGATED,
    ),
    ("The back pain never caused him any pain at night.", "pain at night", A.NEGATED),
    ("No sign of secondary infection at the incision.", "infection", A.NEGATED),
    ("She got her COVID-19 vaccine last week.", "COVID-19", A.HYPOTHETICAL),
    ("Wear the brace to avoid injury while lifting.", "injury", A.HYPOTHETICAL),
    ("I am concerned he may have Lyme disease.", "Lyme disease", A.POSSIBLE),
    ("Suspected gout of the left great toe.", "gout", A.POSSIBLE),
    # "secondary" closes a scope only as "secondary to"; the adjective stays in scope.
    (
        "No other injuries and no other evidence of secondary bacterial infection.",
        "infection",
        A.NEGATED,
    ),
    ("Fever secondary to pneumonia.", "pneumonia", A.PRESENT),
    # What a treatment is to prevent is not present.
    ("3.  Prophylactic antibiotics to prevent infection.", "infection", A.HYPOTHETICAL),
    # ", started" closes a negation's scope like ", with" does.
    ("No fever, started IV antibiotics.", "antibiotics", A.PRESENT),
    ("Patient was not started on antibiotics.", "antibiotics", A.NEGATED),
    # A trigger that runs into the index phrase ("History, personal, calculi") still negates.
    ("No history of kidney stones.", "history of kidney stones", A.NEGATED),
    ("No history of kidney stones.", "kidney stones", A.NEGATED),
    ("He has a history of gout.", "history of gout", A.PRESENT),
]


@pytest.mark.parametrize(("sentence", "target", "expected"), TABLE)
def test_assertion_of_target_in_sentence(sentence: str, target: str, expected: Assertion) -> None:
    start = sentence.index(target)
    [result] = ContextAnnotator().annotate(sentence, [(start, start + len(target))])
    assert result.assertion == expected, (sentence, target, result)


def test_result_names_trigger_and_rule_set_for_explanations() -> None:
    text = "Denies chest pain."
    start = text.index("chest pain")
    [result] = ContextAnnotator().annotate(text, [(start, start + 10)])
    assert result.trigger == "Denies"
    assert text[result.trigger_start : result.trigger_end] == "Denies"
    assert result.rule_set == RULE_SET == "medcoder.assertion_rules.v1"


def test_negation_does_not_cross_sentence_boundary() -> None:
    text = "No fever. Cough for three days."
    results = ContextAnnotator().annotate(text, [(3, 8), (10, 15)])
    assert [r.assertion for r in results] == [A.NEGATED, A.PRESENT]


def test_many_spans_keep_input_order_and_duplicates() -> None:
    text = "Patient has pneumonia. No sepsis."
    spans = [(26, 32), (12, 21), (26, 32)]
    results = ContextAnnotator().annotate(text, spans)
    assert [r.assertion for r in results] == [A.NEGATED, A.PRESENT, A.NEGATED]


def test_family_section_role_makes_mention_family_unless_negated() -> None:
    text = "Family History:\nColon cancer.\nNo diabetes.\n"
    roles = [(0, len(text), "family")]
    spans = [(16, 28), (33, 41)]
    results = ContextAnnotator().annotate(text, spans, roles)
    assert [r.assertion for r in results] == [A.FAMILY, A.NEGATED]
    assert results[0].category == "SECTION"


def test_history_section_role_makes_mention_historical_unless_current() -> None:
    text = "Past Medical History:\nAsthma.\nCurrently has gout.\n"
    roles = [(0, len(text), "history")]
    asthma, gout = text.index("Asthma"), text.index("gout")
    results = ContextAnnotator().annotate(text, [(asthma, asthma + 6), (gout, gout + 4)], roles)
    assert [r.assertion for r in results] == [A.HISTORICAL, A.PRESENT]
    assert results[0].temporality == "historical"


def test_hypothetical_mentions_are_future() -> None:
    text = "If fever recurs, return."
    [result] = ContextAnnotator().annotate(text, [(3, 8)])
    assert result.temporality == "future"


def test_wrapped_line_keeps_negation_scope() -> None:
    text = "Patient denies chest\npain or palpitations."
    start = text.index("palpitations")
    [result] = ContextAnnotator().annotate(text, [(start, start + 12)])
    assert result.assertion == A.NEGATED


def test_list_lines_are_separate_sentences() -> None:
    text = "No fever\nCough\n"
    [result] = ContextAnnotator().annotate(text, [(9, 14)])
    assert result.assertion == A.PRESENT


def test_empty_spans_give_empty_results() -> None:
    assert ContextAnnotator().annotate("No fever.", []) == []


def test_span_outside_text_is_rejected() -> None:
    with pytest.raises(ValueError):
        ContextAnnotator().annotate("No fever.", [(5, 50)])


def test_annotate_mentions_sets_assertion_and_trigger_in_place() -> None:
    text = "Denies chest pain."
    mention = Mention("chest pain", 7, 17, "chest pain")
    annotate_mentions(ContextAnnotator(), text, [mention])
    assert mention.assertion == A.NEGATED
    assert mention.temporality == "current"
    assert mention.attributes["assertion_trigger"] == "Denies"


@pytest.mark.parametrize("use_defaults", [True, False])
def test_every_rule_pattern_passes_spacys_pattern_check(use_defaults: bool) -> None:
    # The compiled matcher skips spaCy's per-pattern validation (start-up time), so a
    # malformed rule in data/assertion_rules.v1.json must be caught here instead.
    from spacy.schemas import validate_token_pattern

    from medcoder.nlp.context import _compile, _expand_first

    compiled = _compile(use_defaults)
    assert compiled.rules
    for rule in compiled.rules.values():
        if isinstance(rule.pattern, list):
            for pattern in [rule.pattern, *_expand_first(rule.pattern)]:
                assert validate_token_pattern(pattern) == [], rule.literal


def test_tokenizer_is_spacys_blank_english() -> None:
    import spacy

    from medcoder.nlp.context import _compile

    text = "Pt. can't walk; r/o DVT (L>R), e.g. 3x/day at 10a.m. -- afebrile:-) U.S.A. 12/5/2020"
    blank = spacy.blank("en")
    ours = _compile(True).nlp
    assert [(t.text, t.idx, t.norm_) for t in ours.make_doc(text)] == [
        (t.text, t.idx, t.norm_) for t in blank.make_doc(text)
    ]


def test_a_risk_range_makes_a_mention_hypothetical_unless_negated() -> None:
    text = "PLAN: Risks include bleeding and pulmonary embolism. No DVT. Pulmonary embolism today."
    risk = (text.index("Risks"), text.index("No DVT") - 1)
    roles = overlay_roles([(0, len(text), "plan")], [risk])
    assert roles == [(0, risk[0], "plan"), (risk[0], risk[1], "risk"), (risk[1], len(text), "plan")]
    spans = [(text.index(t), text.index(t) + len(t)) for t in ("bleeding", "DVT")]
    spans.append((text.rindex("Pulmonary embolism"), text.rindex("Pulmonary embolism") + 18))
    bleeding, dvt, embolism = ContextAnnotator().annotate(text, spans, roles)
    assert bleeding.assertion == A.HYPOTHETICAL and bleeding.category == "RISK_DISCUSSION"
    assert dvt.assertion == A.NEGATED
    assert embolism.assertion == A.PRESENT


def test_overlay_roles_without_sections_still_marks_the_risk() -> None:
    assert overlay_roles([], [(5, 9)]) == [(5, 9, "risk")]


def test_rules_run_as_phrases_match_what_their_token_patterns_match():
    """ConText rules made of words, word lists and optional words run in spaCy's
    PhraseMatcher (speed, issue 21); each must find exactly the spans its token pattern finds,
    and a pattern with other attributes or repeats stays a token pattern."""
    from spacy.matcher import Matcher, PhraseMatcher
    from spacy.tokens import Doc

    from medcoder.nlp.context import _compile, _phrase_variants

    compiled = _compile(True)
    vocab = compiled.nlp.vocab
    converted = 0
    for rule in compiled.rules.values():
        if not isinstance(rule.pattern, list):
            continue
        variants = _phrase_variants(rule.pattern)
        if variants is None:
            continue
        converted += 1
        tokens = Matcher(vocab, validate=False)
        tokens.add("rule", [rule.pattern])
        phrases = PhraseMatcher(vocab, attr="LOWER")
        phrases.add("rule", [Doc(vocab, words=list(v)) for v in variants])
        for variant in variants:
            doc = Doc(vocab, words=["Patient", *[w.upper() for w in variant], "today"])
            assert {(s, e) for _, s, e in tokens(doc)} == {(s, e) for _, s, e in phrases(doc)}
    assert converted > 50
    assert _phrase_variants([{"LOWER": "no"}, {"LOWER": "further", "OP": "*"}]) is None
    assert _phrase_variants([{"LOWER": "No"}]) is None  # LOWER never equals "No"
    assert _phrase_variants([{"LOWER": "rule"}, {"LOWER": {"IN": ["out", "o"]}, "OP": "?"}]) == [
        ("rule",),
        ("rule", "o"),
        ("rule", "out"),
    ]


def test_a_span_two_rules_match_goes_to_the_rule_written_as_a_pattern():
    """ "prophylaxis" is both a bare literal (negated existence) and a word of the token
    patterns written for prevention (hypothetical, "prophylaxis of DVT"); the pattern decides,
    whichever matcher found it, as when all patterns ran in the token matcher."""
    from medcoder.nlp.context import _compile, _modifiers

    compiled = _compile(True)
    doc = compiled.nlp.make_doc("Heparin prophylaxis started.")
    [(start, end, rule)] = _modifiers(doc, compiled)
    assert (doc[start:end].text, rule.category) == ("prophylaxis", "HYPOTHETICAL")
    text = "Started enoxaparin for prophylaxis of DVT."
    start = text.index("DVT")
    [result] = ContextAnnotator().annotate(text, [(start, start + 3)])
    assert result.assertion is Assertion.HYPOTHETICAL
