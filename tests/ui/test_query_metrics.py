"""CDI program metrics (issue 8, lifecycle point 3) over a stored query history with fixed
timestamps: the arithmetic of each rate, the period filter, the API, the page and the CLI, on
SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from ui_workbench import audit_rows, build_app, ensure_user

REPO = Path(__file__).resolve().parents[2]
HF, AKI, NA = "heart_failure_specificity.v1", "aki.v1", "hyponatremia.v1"
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


def at(day: str, time: str = "09:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=dt.UTC)


# (encounter, rule, physician, state, created, sent, closed, answer)
HISTORY = [
    (1, HF, "dr_a", "answered", at("2026-03-02"), at("2026-03-02", "10:00"),
     at("2026-03-02", "14:00"), "Acute on chronic systolic (HFrEF) heart failure"),
    (1, AKI, "dr_a", "answered", at("2026-03-02"), at("2026-03-02", "10:00"),
     at("2026-03-03", "10:00"), "Clinically undetermined"),
    (2, AKI, "dr_b", "declined", at("2026-03-05"), at("2026-03-05", "08:00"),
     at("2026-03-05", "09:00"), None),
    (3, HF, "dr_b", "expired", at("2026-03-06", "23:30"), at("2026-03-07"),
     at("2026-03-20"), None),
    (3, NA, None, "open", at("2026-03-07"), None, None, None),
    (5, HF, "dr_a", "answered", at("2026-04-10"), at("2026-04-10", "10:00"),
     at("2026-04-10", "12:00"), "Chronic diastolic heart failure"),
]  # fmt: skip
# Encounters 1-4 are coded in March (4 twice: one encounter still), 5 in April.
CODED = [(1, "2026-03-01"), (2, "2026-03-04"), (3, "2026-03-06"), (4, "2026-03-09"),
         (4, "2026-03-10"), (5, "2026-04-09")]  # fmt: skip


def seed(app) -> None:
    """Users, encounters, engine runs and queries written with the timestamps above."""
    from sqlalchemy import select

    from medcoder.store.case_models import Query
    from medcoder.store.models import CodingResultRow, EncounterRow, User

    for name in ("dr_a", "dr_b"):
        ensure_user(app, name, "physician")
    ensure_user(app, "cdi", "cdi")
    with app.state.workbench.db.session() as session:
        ids = dict(session.execute(select(User.username, User.id)).all())
        for n in range(1, 6):
            session.add(EncounterRow(id=n, setting="inpatient", status="coded"))
        session.flush()
        for encounter, day in CODED:
            session.add(
                CodingResultRow(
                    encounter_id=encounter, setting="inpatient", engine_version="t",
                    created_at=at(day),
                )
            )  # fmt: skip
        for encounter, rule, physician, state, created, sent, closed, answer in HISTORY:
            session.add(
                Query(
                    encounter_id=encounter, question="Please clarify.", options=[],
                    asked_by=ids["cdi"], addressed_to=ids.get(physician), rule_id=rule,
                    state=state, created_at=created, sent_at=sent, answered_at=closed,
                    answer=answer,
                )
            )  # fmt: skip


@pytest.fixture
def ui_app(db_url):
    """The app over the ``db_url`` databases with the history above (conftest's
    ``client_for`` logs clients in to it)."""
    app = build_app(db_url)
    seed(app)
    yield app
    app.state.workbench.db.dispose()


def test_march_rates_follow_their_definitions(client_for):
    body = client_for("cdi").get("/api/queries/metrics", params=MARCH).json()
    overall = body["overall"]
    # 5 queries on encounters 1, 2, 3 of the 4 coded in March
    assert body["coded_encounters"] == 4 and overall["queries"] == 5
    assert overall["encounters"] == 3 and overall["query_rate"] == 0.75
    # sent 4: answered 2 + declined 1 respond, 1 expired; the open draft is not sent
    assert (overall["sent"], overall["answered"], overall["declined"]) == (4, 2, 1)
    assert overall["expired"] == 1 and overall["pending"] == 0
    assert overall["response_rate"] == 0.75
    # "Clinically undetermined" answers but does not agree
    assert overall["agreed"] == 1 and overall["agreement_rate"] == 0.5
    # 4 h and 24 h, sent -> answered; the decline's hour is not a time to answer
    assert overall["median_hours_to_answer"] == overall["mean_hours_to_answer"] == 14.0


def test_groups_split_by_physician_and_by_rule(client_for):
    body = client_for("manager").get("/api/queries/metrics", params=MARCH).json()
    dr_a, dr_b = body["by_physician"]["dr_a"], body["by_physician"]["dr_b"]
    assert dr_a["response_rate"] == 1.0 and dr_a["agreement_rate"] == 0.5
    assert dr_b["response_rate"] == 0.5 and dr_b["agreement_rate"] is None
    assert dr_b["median_hours_to_answer"] is None
    assert body["by_physician"]["(not sent)"]["queries"] == 1
    assert body["by_physician"]["(not sent)"]["response_rate"] is None
    hf, aki = body["by_rule"][HF], body["by_rule"][AKI]
    assert (hf["sent"], hf["answered"], hf["expired"]) == (2, 1, 1)
    assert hf["agreement_rate"] == 1.0 and aki["agreement_rate"] == 0.0
    assert hf["query_rate"] == 0.5  # encounters 1 and 3 of 4
    assert body["by_rule"][NA]["sent"] == 0


def test_without_a_period_every_query_and_engine_run_counts(client_for):
    overall = client_for("admin").get("/api/queries/metrics").json()["overall"]
    assert overall["queries"] == 6 and overall["query_rate"] == 0.8  # 4 of 5 coded
    assert overall["response_rate"] == 0.8 and overall["agreement_rate"] == pytest.approx(2 / 3)
    # 2, 4 and 24 hours: median 4, mean 10
    assert overall["median_hours_to_answer"] == 4.0 and overall["mean_hours_to_answer"] == 10.0


def test_period_includes_both_end_days(client_for):
    cdi = client_for("cdi")
    to_6th = cdi.get("/api/queries/metrics", params={"from": "2026-03-06", "to": "2026-03-06"})
    assert to_6th.json()["overall"]["queries"] == 1  # created 23:30 on the 6th
    assert to_6th.json()["coded_encounters"] == 1
    to_5th = cdi.get("/api/queries/metrics", params={"to": "2026-03-05"}).json()
    assert to_5th["overall"]["queries"] == 3 and to_5th["coded_encounters"] == 2


def test_by_keeps_one_grouping_and_bad_parameters_are_4xx(client_for):
    cdi = client_for("cdi")
    only = cdi.get("/api/queries/metrics", params={"by": "rule"}).json()
    assert "by_rule" in only and "by_physician" not in only
    for params in (
        {"by": "encounter"},
        {"from": "2026-02-30"},
        {"to": "March"},
        {"from": "2026-03-10", "to": "2026-03-01"},
    ):
        response = cdi.get("/api/queries/metrics", params=params)
        assert response.status_code == 422, (params, response.text)


def test_metrics_are_for_cdi_managers_and_admins_and_are_audited(client_for):
    for role in ("coder", "physician", "attorney"):
        assert client_for(role).get("/api/queries/metrics").status_code == 403
    cdi = client_for("cdi")
    assert cdi.get("/api/queries/metrics", params=MARCH).status_code == 200
    (row,) = audit_rows(cdi.app, action="metrics", entity="query")
    assert row.username == "cdi" and row.detail == "from=2026-03-01 to=2026-03-31 count=5"


def test_metrics_page_shows_rates_tables_and_charts(client_for):
    page = client_for("cdi").get("/ui/cdi/metrics", params=MARCH)
    assert page.status_code == 200
    text = page.text
    assert 'data-testid="kpi-query-rate"' in text and "75%" in text
    assert 'data-testid="metrics-physician-dr_a"' in text
    assert f'data-testid="metrics-rule-{HF}"' in text
    assert "Queries by rule" in text and "Response rate by physician (%)" in text
    assert "(answered + declined) / sent" in text  # the definitions are on the page
    assert 'value="2026-03-01"' in text


def test_metrics_page_refuses_impossible_dates_and_other_roles(client_for):
    cdi = client_for("cdi")
    bad = cdi.get("/ui/cdi/metrics", params={"from": "2026-02-30"})
    assert bad.status_code == 422 and "is not a date" in bad.text
    reversed_ = cdi.get("/ui/cdi/metrics", params={"from": "2026-03-10", "to": "2026-03-01"})
    assert reversed_.status_code == 422 and "is after" in reversed_.text
    assert cdi.get("/ui/cdi/metrics", params={"from": "", "to": ""}).status_code == 200
    coder = client_for("coder").get("/ui/cdi/metrics")
    assert coder.status_code == 303 and "forbidden" in coder.headers["location"]


def test_cdi_worklist_and_dashboard_link_to_the_metrics(client_for):
    assert 'data-testid="link-cdi-metrics"' in client_for("cdi").get("/ui/cdi").text
    assert 'data-testid="link-cdi-metrics"' in client_for("manager").get("/ui/dashboard").text
    assert 'data-testid="link-cdi-metrics"' not in client_for("coder").get("/ui/cdi").text


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "medcoder", "query", "metrics", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        cwd=REPO,
        timeout=120,
    )


def test_cli_reads_the_workbench_database(ui_app, db_url):
    out = cli("--db", db_url, "--from", "2026-03-01", "--to", "2026-03-31", "--format", "json")
    assert out.returncode == 0, out.stderr
    body = json.loads(out.stdout)
    assert body["overall"]["response_rate"] == 0.75 and body["from"] == "2026-03-01"
    assert body["by_physician"]["dr_a"]["agreement_rate"] == 0.5
    table = cli("--db", db_url)
    assert table.returncode == 0, table.stderr
    assert "By physician" in table.stdout and "dr_b" in table.stdout and "80%" in table.stdout
    assert audit_rows(ui_app, action="metrics", entity="query")[-1].username == "cli"


def test_cli_bad_dates_exit_2_with_the_option_named(ui_app, db_url):
    bad = cli("--db", db_url, "--from", "2026-13-01")
    assert bad.returncode == 2
    assert bad.stderr.strip() == "Error: --from '2026-13-01' is not a date (YYYY-MM-DD)"
    backwards = cli("--db", db_url, "--from", "2026-03-10", "--to", "2026-03-01")
    assert (
        backwards.returncode == 2
        and "--from 2026-03-10 is after --to 2026-03-01" in backwards.stderr
    )


def test_cli_refuses_a_missing_sqlite_database(tmp_path):
    missing = tmp_path / "nope.db"
    out = cli("--db", f"sqlite:///{missing}")
    assert out.returncode == 1 and "no workbench database here" in out.stderr
    assert not missing.exists()
