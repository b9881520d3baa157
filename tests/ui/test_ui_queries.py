"""CDI pages (issue 8): the worklist of queries, the physician's inbox, the query history on
the encounter, and the API behind them, on SQLite and PostgreSQL with the real engine."""

from __future__ import annotations

import pytest
from ui_workbench import audit_rows, build_app

HF_NOTE = (
    "Assessment: congestive heart failure exacerbation.\n"
    "Echo 03/01/2024: LVEF 30%. BNP 1450 pg/mL.\n"
    "Plan: IV furosemide.\n"
)
HF_RULE = "heart_failure_specificity.v2"
ANSWER = "Acute on chronic systolic (HFrEF) heart failure"


@pytest.fixture
def ui_app(db_url, built_packs):
    """The pages over the shared ``db_url`` databases and the real coding engine."""
    app = build_app(db_url)
    yield app
    app.state.workbench.db.dispose()


def _coded_inpatient(client, text: str = HF_NOTE) -> int:
    response = client.post(
        "/api/documents",
        files={"file": ("hf.txt", text.encode(), "text/plain")},
        params={"setting": "inpatient"},
    )
    assert response.status_code == 201, response.text
    encounter_id = response.json()["encounter_id"]
    coded = client.post(f"/api/encounters/{encounter_id}/code")
    assert coded.status_code == 200, coded.text
    return encounter_id


def _drafted(client_for) -> tuple[int, dict]:
    encounter_id = _coded_inpatient(client_for("coder"))
    found = client_for("cdi").post(f"/api/encounters/{encounter_id}/opportunities")
    assert found.status_code == 201, found.text
    (query,) = [q for q in found.json()["items"] if q["rule"] == HF_RULE]
    return encounter_id, query


def test_finding_opportunities_drafts_linted_open_queries_once(client_for):
    encounter_id, query = _drafted(client_for)
    assert query["state"] == "open"
    assert query["lint"] == []
    assert ANSWER in query["options"]
    assert any("LVEF 30" in i["text"] for i in query["draft"]["clinical_indicators"])
    again = client_for("cdi").post(f"/api/encounters/{encounter_id}/opportunities").json()
    assert again["items"] == [] and again["skipped"] == again["found"] >= 1


def test_answering_in_the_inbox_recodes_the_encounter_from_the_answer(client_for):
    encounter_id, query = _drafted(client_for)
    cdi, physician = client_for("cdi"), client_for("physician", "dr_house")
    sent = cdi.post(f"/api/queries/{query['id']}/send", json={"addressed_to": "dr_house"})
    assert sent.status_code == 200, sent.text
    assert sent.json()["query"]["state"] == "sent"
    inbox = physician.get("/ui/inbox")
    assert inbox.status_code == 200
    assert f'data-testid="inbox-query-{query["id"]}"' in inbox.text
    assert "LVEF 30" in inbox.text and ANSWER in inbox.text
    answered = physician.post(f"/api/queries/{query['id']}/answer", json={"option": ANSWER})
    assert answered.status_code == 200, answered.text
    recode = answered.json()["query"]["recode"]
    assert recode["added"] == ["I50.23"] and recode["from_answer"] == ["I50.23"]
    assert "I50.23" not in recode["before"] and "I50.23" in recode["after"]
    page = cdi.get(f"/ui/encounters/{encounter_id}")
    assert 'data-testid="query-history"' in page.text
    assert 'data-testid="recode-added">I50.23' in page.text
    assert "source: query response" in page.text
    codes = cdi.get(f"/api/encounters/{encounter_id}").json()["encounter"]["codes"]
    assert any(c["code"] == "I50.23" for c in codes)


def test_only_the_addressed_physician_answers_and_only_once(client_for):
    _, query = _drafted(client_for)
    client_for("physician", "dr_a")
    cdi = client_for("cdi")
    assert (
        cdi.post(f"/api/queries/{query['id']}/send", json={"addressed_to": "dr_a"}).status_code
        == 200
    )
    other = client_for("physician", "dr_b")
    refused = other.post(f"/api/queries/{query['id']}/answer", json={"option": ANSWER})
    assert refused.status_code == 403
    addressed = client_for("physician", "dr_a")
    assert (
        addressed.post(f"/api/queries/{query['id']}/answer", json={"answer": ""}).status_code == 422
    )
    assert (
        addressed.post(
            f"/api/queries/{query['id']}/answer", json={"option": "Not offered"}
        ).status_code
        == 422
    )
    other_option = next(o for o in query["options"] if o.startswith("Other"))
    assert (
        addressed.post(
            f"/api/queries/{query['id']}/answer", json={"option": other_option}
        ).status_code
        == 422
    )
    assert addressed.post(f"/api/queries/{query['id']}/decline", json={}).status_code == 200
    again = addressed.post(f"/api/queries/{query['id']}/answer", json={"option": ANSWER})
    assert again.status_code == 409 and "declined" in again.json()["error"]["message"]


def test_queries_go_only_to_physicians_and_non_compliant_ones_are_not_sent(client_for):
    _, query = _drafted(client_for)
    cdi = client_for("cdi")
    client_for("coder", "a_coder")
    not_physician = cdi.post(f"/api/queries/{query['id']}/send", json={"addressed_to": "a_coder"})
    assert not_physician.status_code == 422 and "not an active physician" in not_physician.text
    assert (
        client_for("coder")
        .post(f"/api/queries/{query['id']}/send", json={"addressed_to": "a_coder"})
        .status_code
        == 403
    )
    from medcoder.store.case_models import Query

    with cdi.app.state.workbench.db.session() as session:
        session.get(Query, query["id"]).lint = [
            {"rule": "payment", "severity": "error", "start": 0, "end": 3, "message": "DRG"}
        ]
    client_for("physician")
    refused = cdi.post(f"/api/queries/{query['id']}/send", json={"addressed_to": "physician"})
    assert refused.status_code == 409 and "linter" in refused.text


def test_cdi_worklist_filters_pages_and_shows_the_linter_result(client_for):
    encounter_id, query = _drafted(client_for)
    cdi = client_for("cdi")
    page = cdi.get("/ui/cdi")
    assert page.status_code == 200
    assert f'data-testid="query-row-{query["id"]}"' in page.text
    assert "Compliant: the AHIMA/ACDIS linter found nothing" in page.text
    assert f'data-api="POST /api/queries/{query["id"]}/send"' in page.text
    assert f'data-testid="query-row-{query["id"]}"' in cdi.get(f"/ui/cdi?rule={HF_RULE}").text
    assert f'data-testid="query-row-{query["id"]}"' not in cdi.get("/ui/cdi?state=sent").text
    assert "No queries match" in cdi.get("/ui/cdi?rule=sepsis.v1").text
    assert cdi.get("/ui/cdi?state=bogus").status_code == 422
    assert cdi.get("/ui/cdi?page=2").status_code == 200
    lists = audit_rows(cdi.app, entity="query", action="list")
    assert lists and all("count=" in (a.detail or "") for a in lists)


def test_cdi_worklist_pages_by_25(client_for):
    encounter_id = _coded_inpatient(client_for("coder"))
    cdi = client_for("cdi")
    for i in range(27):
        assert (
            cdi.post(
                f"/api/encounters/{encounter_id}/queries",
                json={
                    "question": f"Please clarify the acuity of the condition ({i}).",
                    "options": [],
                },
            ).status_code
            == 201
        )
    first = cdi.get("/ui/cdi").text
    assert "Page 1 of 2" in first and "Next →" in first
    second = cdi.get("/ui/cdi?page=2").text
    assert second.count('data-testid="query-row-') == 2


def test_inbox_is_for_physicians_and_shows_only_their_queries(client_for):
    _, query = _drafted(client_for)
    client_for("physician", "dr_a"), client_for("physician", "dr_b")
    client_for("cdi").post(f"/api/queries/{query['id']}/send", json={"addressed_to": "dr_a"})
    assert f"inbox-query-{query['id']}" in client_for("physician", "dr_a").get("/ui/inbox").text
    assert f"inbox-query-{query['id']}" not in client_for("physician", "dr_b").get("/ui/inbox").text
    coder_view = client_for("coder").get("/ui/inbox")
    assert coder_view.status_code == 303 and "forbidden" in coder_view.headers["location"]
    nav = client_for("physician", "dr_a").get("/ui/worklist").text
    assert 'data-testid="nav-inbox"' in nav


def test_every_query_page_read_is_audited(client_for):
    encounter_id, query = _drafted(client_for)
    cdi = client_for("cdi")
    before = len(audit_rows(cdi.app))
    cdi.get(f"/ui/encounters/{encounter_id}")
    cdi.get("/ui/cdi")
    cdi.get(f"/api/queries/{query['id']}")
    rows = audit_rows(cdi.app)[before:]
    actions = {(a.action, a.entity) for a in rows}
    assert {("read_queries", "encounter"), ("list", "query"), ("read", "query")} <= actions
    assert all("LVEF" not in (a.detail or "") for a in rows)
