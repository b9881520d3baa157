"""Pointers, modifier misuse and E/M with a same-day procedure (LINE-*)."""

from __future__ import annotations

from medcoder.edits import rules_lines as rl
from medcoder.edits.findings import Severity


def _line(code: str, *, mods=(), ptr=(1,), date=None, units="1"):  # noqa: ANN001, ANN202
    out = {
        "code": code,
        "charge": "10",
        "modifiers": list(mods),
        "dx_pointers": list(ptr),
        "units": units,
    }
    if date:
        out["service_date"] = date
    return out


def test_five_pointers_on_a_line_is_a_reject(make, run) -> None:
    dx = [{"code": c} for c in ("I10", "E11.9", "R10.9", "M54.50", "Z00.00")]
    found = run(
        rl.too_many_pointers, make(diagnoses=dx, lines=[_line("99213", ptr=(1, 2, 3, 4, 5))])
    )
    assert found and found[0].rule_id == "LINE-PTR-001" and found[0].lines == (1,)


def test_four_pointers_pass(make, run) -> None:
    dx = [{"code": c} for c in ("I10", "E11.9", "R10.9", "M54.50")]
    assert (
        run(rl.too_many_pointers, make(diagnoses=dx, lines=[_line("99213", ptr=(1, 2, 3, 4))]))
        == []
    )


def test_pointer_at_no_diagnosis_is_a_reject(make, run) -> None:
    found = run(rl.dangling_pointer, make(lines=[_line("99213", ptr=(1, 3))]))
    assert found and found[0].rule_id == "LINE-PTR-002" and found[0].details["pointers"] == [3]


def test_pointers_within_the_diagnoses_pass(make, run) -> None:
    assert run(rl.dangling_pointer, make()) == []


def test_line_without_pointer_is_a_reject_on_837p(make, run) -> None:
    found = run(rl.missing_pointer, make(lines=[_line("99213"), _line("80053", ptr=())]))
    assert found and found[0].rule_id == "LINE-PTR-003" and found[0].lines == (2,)


def test_line_without_pointer_passes_on_837i(make, run) -> None:
    enc = make(type_of_bill="0131", lines=[_line("80053", ptr=())])
    assert run(rl.missing_pointer, enc) == []


def test_modifier_59_on_an_em_is_a_warning(make, run) -> None:
    found = run(rl.distinct_on_em, make(lines=[_line("99213", mods=("59",))]))
    assert found and found[0].severity is Severity.WARN and found[0].rule_id == "LINE-MOD-001"


def test_modifier_25_on_an_em_passes_the_59_check(make, run) -> None:
    assert run(rl.distinct_on_em, make(lines=[_line("99213", mods=("25",))])) == []


def test_59_with_an_x_modifier_is_a_warning(make, run) -> None:
    found = run(rl.fifty_nine_with_x, make(lines=[_line("11042", mods=("59", "XS"))]))
    assert found and found[0].rule_id == "LINE-MOD-002"


def test_x_modifier_alone_passes(make, run) -> None:
    assert run(rl.fifty_nine_with_x, make(lines=[_line("11042", mods=("XS",))])) == []


def test_em_with_same_day_procedure_without_25_is_a_deny(make, run) -> None:
    found = run(rl.em_without_25, make(lines=[_line("99213"), _line("11042")]))
    assert found and found[0].rule_id == "LINE-EM25-001" and found[0].lines == (1, 2)
    assert found[0].carc == "CO-97" and found[0].severity is Severity.DENY


def test_em_with_25_and_procedure_passes(make, run) -> None:
    assert run(rl.em_without_25, make(lines=[_line("99213", mods=("25",)), _line("11042")])) == []


def test_em_with_procedure_on_another_date_or_lab_passes(make, run) -> None:
    other_day = [_line("99213"), _line("11042", date="2026-01-16")]
    assert run(rl.em_without_25, make(lines=other_day)) == []
    assert run(rl.em_without_25, make(lines=[_line("99283"), _line("80053")])) == []
