"""Splitting a procedure statement into the procedures it names, as transcriptions write it."""

from __future__ import annotations

from medcoder.procedures.pcs_statement import split_statement


def items(text: str) -> list[str]:
    return [item.text(text) for item in split_statement(text)]


def contexts(text: str) -> list[str]:
    return [text[i.context[0] : i.context[1]] for i in split_statement(text)]


def test_numbered_statement_run_together_by_commas_gives_one_item_per_number() -> None:
    text = "1.  Laparoscopic appendectomy.,2.  Incidental umbilical herniorrhaphy.,3.  Cystoscopy."
    assert items(text) == [
        "Laparoscopic appendectomy",
        "Incidental umbilical herniorrhaphy",
        "Cystoscopy",
    ]


def test_coordinated_procedures_are_separate_items_with_their_own_context() -> None:
    text = "Left shockwave lithotripsy, cystourethroscopy, and removal of ureteral stent x1."
    assert items(text) == [
        "Left shockwave lithotripsy",
        "cystourethroscopy",
        "removal of ureteral stent x1",
    ]
    assert contexts(text)[1] == "cystourethroscopy"  # the side belongs to the lithotripsy


def test_with_clause_is_its_own_item_sharing_the_approach_context() -> None:
    text = "Colonoscopy with removal of impacted fecal material."
    assert items(text) == ["Colonoscopy", "removal of impacted fecal material"]
    assert contexts(text) == [text.rstrip("."), text.rstrip(".")]


def test_shared_complement_is_distributed_to_bare_coordinated_items() -> None:
    text = "Resection and fulguration of bladder neck tumors."
    assert items(text) == [
        "Resection of bladder neck tumors",
        "fulguration of bladder neck tumors",
    ]


def test_fixed_pairs_naming_one_procedure_are_never_split() -> None:
    assert items("Incision and drainage of perirectal abscess, left.") == [
        "Incision and drainage of perirectal abscess, left"
    ]
    assert items("Dilation and curettage.") == ["Dilation and curettage"]


def test_a_side_written_after_a_comma_stays_with_its_procedure() -> None:
    assert items("Chest tube thoracostomy, right.") == ["Chest tube thoracostomy, right"]


def test_sentences_and_lines_of_a_short_statement_are_separate() -> None:
    text = "Laparoscopic cholecystectomy.\nThe gallbladder was removed intact."
    assert items(text) == ["Laparoscopic cholecystectomy", "The gallbladder was removed intact"]


def test_a_procedure_noun_ending_a_coordination_is_shared_by_the_bare_items() -> None:
    text = "Right inguinal hernia and right hydrocele repair."
    assert items(text) == ["Right inguinal hernia repair", "right hydrocele repair"]


def test_a_bare_operation_noun_ending_a_coordination_is_done_at_the_site_before_it() -> None:
    assert items("Bladder biopsy and fulguration.") == ["Bladder biopsy", "fulguration of Bladder"]
