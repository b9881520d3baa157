"""One user's very large document does not hold up the others' notes, and a coding run has a
time limit (issue 18, finding 9). Speed is measured by benchmarks/bench_slow_input.py."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from workbench_api import upload

from medcoder.server.coding_processes import LARGE_TEXT, CodingProcesses
from medcoder.server.errors import ApiError

release = threading.Event()
started_large = threading.Semaphore(0)


def _slow_for_large(encounter):
    """In-thread coder: a large encounter blocks until released (a very slow run)."""
    from medcoder.suggestions import CodingResult

    if sum(len(d.text) for d in encounter.documents) > LARGE_TEXT:
        started_large.release()
        release.wait(30)
    return CodingResult(document=f"enc{encounter.id}", setting=encounter.setting, codes=[])


@pytest.fixture
def app_options() -> dict:
    return {"coder": _slow_for_large}


def _dictation(chars: int) -> str:
    line = "patient seen for follow up of type 2 diabetes with chronic kidney disease "
    return (line * (chars // len(line) + 1))[:chars]


def test_a_small_note_is_coded_while_two_large_ones_are_running(app, client_for):
    release.clear()
    big_users = [client_for("coder", f"big{i}") for i in range(2)]
    big = [upload(c, _dictation(LARGE_TEXT + 50_000)).json()["encounter_id"] for c in big_users]
    small_user = client_for("coder", "small")
    small = upload(small_user).json()["encounter_id"]
    statuses: list[int] = []

    def code(client: TestClient, eid: int) -> None:
        statuses.append(client.post(f"/api/encounters/{eid}/code").status_code)

    runs = [threading.Thread(target=code, args=(c, e)) for c, e in zip(big_users, big, strict=True)]
    for run in runs:
        run.start()
    assert started_large.acquire(timeout=20)  # one large run holds the large lane
    quick = threading.Thread(target=code, args=(small_user, small))
    quick.start()
    quick.join(timeout=20)
    done_while_blocked = not quick.is_alive()
    release.set()
    for run in runs:
        run.join(timeout=30)
    quick.join(timeout=5)
    assert done_while_blocked, "the small note waited behind the large ones"
    assert statuses.count(200) == 3


def _row(text: str) -> SimpleNamespace:
    document = SimpleNamespace(id=1, text=text, file_name="note.txt", format="text", kind=None)
    return SimpleNamespace(id=1, documents=[document], setting="outpatient", service_date=None)


def test_a_coding_run_past_the_time_limit_is_stopped_and_the_process_replaced(built_packs):
    coder = CodingProcesses(1, time_limit=0.05)  # a cold process cannot code in 50 ms
    try:
        with pytest.raises(ApiError) as stopped:
            coder(_row("Type 2 diabetes mellitus with diabetic chronic kidney disease."))
        assert stopped.value.status == 422 and stopped.value.code == "coding_time_limit"
        assert "0.05 s" in stopped.value.message
        coder.time_limit = 120
        result = coder(_row("Type 2 diabetes mellitus with diabetic chronic kidney disease."))
        assert "E11.22" in {c.code for c in result.codes}
    finally:
        coder.close()


def test_large_encounters_take_their_own_lane():
    coder = CodingProcesses(1)
    assert coder.lane(_row("x" * 100)) == "small"
    assert coder.lane(_row("x" * (LARGE_TEXT + 1))) == "large"
