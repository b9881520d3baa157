"""The one path from encounter to 837 (issue 14 item 5, issue 17 items 1-2): persisted unique
control numbers per sender, safe across processes; test usage until production is asked for;
chunked pyx12 validation that reports each claim's own issues."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from medcoder.claims.control_numbers import MAX_CONTROL_NUMBER, ControlNumbers
from medcoder.claims.errors import ClaimError, X12ValidationError
from medcoder.claims.model import ClaimEncounter
from medcoder.claims.submission import ClaimFile, Submitter, render, write_claim, write_claims
from medcoder.claims.x12_validate import validate_many, validate_x12


def _office(fixtures: Path, **changes) -> ClaimEncounter:
    data = json.loads((fixtures / "claims" / "outpatient_office_visit.json").read_text())
    return ClaimEncounter.model_validate({**data, **changes})


def _take(args: tuple[str, int]) -> list[int]:
    path, count = args
    numbers = ControlNumbers(path)
    return [n for _ in range(count) for n in numbers.take("CLINIC01")]


def test_control_numbers_persist_and_never_repeat_across_processes(tmp_path: Path) -> None:
    path = str(tmp_path / "interchanges.sqlite")
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        taken = [n for chunk in pool.map(_take, [(path, 25)] * 4) for n in chunk]
    assert sorted(taken) == list(range(1, 101))
    assert ControlNumbers(path).take("CLINIC01") == [101]  # persisted, not restarted


def test_control_numbers_are_per_sender_and_wrap_after_nine_digits(tmp_path: Path) -> None:
    numbers = ControlNumbers(tmp_path / "c.sqlite")
    assert numbers.take("A", 2) == [1, 2] and numbers.take("B") == [1]
    import sqlite3

    with sqlite3.connect(numbers.path) as conn:
        conn.execute("UPDATE counters SET last = ? WHERE sender = 'A'", (MAX_CONTROL_NUMBER - 1,))
    assert numbers.take("A", 3) == [MAX_CONTROL_NUMBER, 1, 2]


def test_default_control_number_file_is_in_the_data_directory(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("MEDCODER_DATA_DIR", str(tmp_path))
    assert ControlNumbers().path == tmp_path / "x12" / "interchanges.sqlite"


def test_written_claims_are_logged_for_acknowledgment_matching(fixtures, tmp_path) -> None:
    numbers = ControlNumbers(tmp_path / "c.sqlite")
    claim = write_claim(_office(fixtures), "837P", Submitter(), numbers=numbers)
    (sent,) = numbers.sent(control_number=claim.control_number)
    assert (sent.claim_id, sent.kind, sent.usage) == ("SYN-OP-0001", "837P", "T")


def test_settings_given_explicitly_win_over_the_environment() -> None:
    env = {"MEDCODER_X12_SENDER_ID": "ENVSENDER", "MEDCODER_X12_USAGE": "P"}
    assert Submitter.from_settings(env).sender_id == "ENVSENDER"
    assert Submitter.from_settings(env, sender_id="OPTION01").sender_id == "OPTION01"
    assert Submitter.from_settings({}).usage == "T"


@pytest.mark.parametrize(
    "settings,field",
    [({"MEDCODER_X12_USAGE": "X"}, "usage"), ({"MEDCODER_X12_USAGE": "P"}, "sender_id")],
)
def test_impossible_settings_are_refused_before_any_claim(settings, field) -> None:
    with pytest.raises(ClaimError) as err:
        Submitter.from_settings(settings)
    assert err.value.field == field


def test_one_bad_encounter_comes_back_as_its_error_in_its_place(fixtures, tmp_path) -> None:
    good = _office(fixtures)
    bad = _office(fixtures, id="BAD-1", place_of_service="X")
    results = write_claims(
        [good, bad, good.model_copy(update={"id": "OK-2"})],
        "837P",
        Submitter(),
        numbers=ControlNumbers(tmp_path / "c.sqlite"),
    )
    assert [type(r) for r in results] == [ClaimFile, ClaimError, ClaimFile]
    assert results[1].encounter_id == "BAD-1" and results[1].field == "place_of_service"
    assert [r.control_number for r in results if isinstance(r, ClaimFile)] == [1, 3]


def test_a_claim_pyx12_refuses_is_not_handed_out(fixtures, tmp_path, monkeypatch) -> None:
    import medcoder.claims.submission as submission

    real = submission.render
    monkeypatch.setattr(
        submission, "render", lambda *a, **k: real(*a, **k).replace("HI*ABK", "HI*XXX")
    )
    with pytest.raises(X12ValidationError) as err:
        write_claim(_office(fixtures), "837P", Submitter(), numbers=ControlNumbers(tmp_path / "c"))
    assert err.value.issues and err.value.field.startswith("HI")


def test_chunked_validation_reports_each_interchange_alone(fixtures) -> None:
    enc = _office(fixtures)
    texts = [render(enc, "837P", Submitter(), n) for n in range(1, 6)]
    texts[3] = texts[3].replace("HI*ABK", "HI*XXX")
    together = validate_many(texts, chunk=3)
    assert [bool(i) for i in together] == [False, False, False, True, False]
    assert together[3] == validate_x12(texts[3])
