"""A physician query in a real browser (issue 8): the CDI specialist finds the opportunities of
an inpatient encounter, reviews the drafted query and its linter result, and sends it; the
physician answers in the inbox; the encounter shows the code the answer added, and its source.

The browser and server fixtures of tests/ui/conftest.py (Debian chromium through Playwright;
skipped with the reason when either is missing, failed in CI).
"""

from __future__ import annotations

import re

from browser_support import Shots, log_in, log_out, web_first
from ui_workbench import ensure_user

HF_NOTE = (
    "Assessment: congestive heart failure exacerbation.\n"
    "Echo 03/01/2024: LVEF 30%. BNP 1450 pg/mL.\n"
    "Plan: IV furosemide.\n"
)
ANSWER = "Acute on chronic systolic (HFrEF) heart failure"


def _coded_encounter(app) -> int:
    """An inpatient encounter with the note, coded by the real engine (I50.9)."""
    import medcoder
    from medcoder.server.coding import engine_coder
    from medcoder.store import Actor, review
    from medcoder.store import encounters as repo

    actor = Actor(None, "setup", "coder", "127.0.0.1")
    with app.state.workbench.db.session() as session:
        encounter = repo.create_encounter(session, actor, setting="inpatient")
        repo.add_document(
            session, actor, encounter, file_name="hf.txt", text=HF_NOTE, format="text",
            raw=HF_NOTE.encode(),
        )  # fmt: skip
        review.code_encounter(session, actor, encounter.id, engine_coder, medcoder.__version__)
        return encounter.id


def test_cdi_sends_a_query_the_physician_answers_and_the_encounter_is_recoded(
    live_server,
    browser,
):
    app, base = live_server
    ensure_user(app, "cici", "cdi")
    encounter_id = _coded_encounter(app)
    shots = Shots()
    page = browser.new_page(viewport={"width": 1400, "height": 1000})

    log_in(page, base, "cici")
    page.click("text=CDI")
    page.wait_for_url(f"{base}/ui/cdi")
    page.fill("[data-testid=find-opportunities] input[name=encounter_id]", str(encounter_id))
    page.click("[data-testid=find-opportunities] button[type=submit]")
    page.wait_for_url(f"{base}/ui/cdi?state=open")
    query_id = (
        page.locator("tr.q-row", has_text="Heart failure type and acuity")
        .get_attribute("data-testid")
        .removeprefix("query-row-")
    )
    row = page.locator(f"[data-testid=query-detail-{query_id}]")
    row.locator("summary").click()
    assert "Compliant" in row.locator(".q-lint").inner_text()
    assert "LVEF 30" in row.locator("[data-testid=query-indicators]").inner_text()
    shots.take(page, "cdi-worklist")
    row.locator("select[name=addressed_to]").select_option("phil")
    row.locator("button", has_text="Send query").click()
    # the page reloads; the query left the open ones
    web_first().expect(page.get_by_test_id(f"query-row-{query_id}")).to_have_count(0)
    page.goto(f"{base}/ui/cdi?state=sent")
    state = page.locator(f"[data-testid=query-state-{query_id}]").inner_text()
    assert state.strip().lower() == "sent"
    log_out(page, base)

    log_in(page, base, "phil")
    page.click("[data-testid=nav-inbox]")
    page.wait_for_url(f"{base}/ui/inbox")
    card = page.locator("section.q-card").first
    assert "LVEF 30" in card.inner_text() and "BNP 1450" in card.inner_text()
    shots.take(page, "physician-inbox")
    card.get_by_label(ANSWER).check()
    card.locator("button", has_text="Answer").click()
    web_first().expect(page.get_by_test_id("inbox-count")).to_have_text(re.compile(r"^0 "))
    page.goto(f"{base}/ui/encounters/{encounter_id}#queries")
    history = page.locator("[data-testid=query-history]")
    assert "answered" in history.inner_text().lower()
    assert history.locator("[data-testid=recode-added]").inner_text() == "I50.23"
    assert "source: query response" in history.inner_text()
    assert page.locator("[data-testid=code-I50\\.23]").count() == 1
    shots.take(page, "encounter-query-history")
