"""A coder's and a manager's day in a real browser: log in, upload, code, see the evidence,
review, finalize, download the claim, report, and have the report approved.

Needs Playwright for Python and Debian's chromium (``bash .ci/browser.sh``): skipped with the
reason otherwise, failed in CI (tests/ui/conftest.py). Screenshots go to ``$MEDCODER_UI_SHOTS``
when set.
"""

from __future__ import annotations

import json
from pathlib import Path

from browser_support import Shots, expect_text, log_in, log_out, web_first
from ui_workbench import NOTE, PASSWORD, audit_rows


def _synthetic_claim(template: dict) -> dict:
    """The page's 837P template filled with synthetic data (valid NPI, ZIP+4, phone)."""
    claim = json.loads(json.dumps(template))
    address = {"line1": "100 Test Avenue", "city": "Dayton", "state": "OH", "zip": "454021234"}
    claim["service_date"] = claim["service_date"] or "2025-02-11"
    claim["patient"].update(
        id="MRN-000111",
        first_name="Alex",
        last_name="Synthetic",
        birth_date="1968-07-19",
        sex="F",
        address=address,
    )
    claim["payer"].update(name="Example Health", id="EXCH1", member_id="XCH123456789")
    claim["billing_provider"].update(
        npi="1234567893",
        name="Synthetic Family Clinic",
        tax_id="123456789",
        taxonomy="207Q00000X",
        address=dict(address, line1="200 Clinic Road"),
    )
    claim["rendering_provider"].update(npi="1234567893", first_name="Sam", last_name="Doe")
    claim["lines"] = [
        {"code": "99214", "units": "1", "charge": "165.00", "dx_pointers": [1]},
    ]
    claim["submitter_phone"] = "9375550100"
    return claim


def test_coder_to_manager_in_a_browser(live_server, browser, tmp_path):
    app, base = live_server
    shots = Shots()
    context = browser.new_context(viewport={"width": 1440, "height": 960}, accept_downloads=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))

    # Pages need a session: the worklist sends us to the login page and back.
    page.goto(f"{base}/ui/worklist")
    assert "/ui/login" in page.url
    shots.take(page, "01-login")
    page.fill("input[name=username]", "cora")
    page.fill("input[name=password]", "wrong-password-here")
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#login-form [data-error]:not([hidden])")
    assert "wrong username or password" in page.locator("#login-form [data-error]").inner_text()
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{base}/ui/worklist")
    assert "cora" in page.get_by_test_id("whoami").inner_text()

    # Upload a synthetic note (pasted), landing on the new encounter.
    page.fill("textarea[name=text]", NOTE)
    page.select_option("select[name=setting]", "outpatient")
    page.click("form[data-upload] button[type=submit]")
    page.wait_for_url(f"{base}/ui/encounters/*")
    encounter_id = int(page.url.rsplit("/", 1)[1])
    assert "Type 2 diabetes" in page.get_by_test_id("document-text").inner_text()
    assert page.get_by_test_id("encounter-status").inner_text().strip().lower() == "open"

    # Run coding: codes appear, every one waiting for review.
    page.click("button:has-text('Run coding')")
    page.wait_for_selector("li.code")
    assert page.get_by_test_id("encounter-status").inner_text().strip().lower() == "coded"
    codes = page.locator("li.code")
    count = codes.count()
    assert count >= 2, "the engine should suggest diabetes with CKD and hypertension codes"
    assert page.get_by_test_id("finalize").is_disabled()
    # Suggestions are not final codes: nothing to scrub yet.
    assert page.get_by_test_id("scrub-empty").is_visible()
    shots.take(page, "02-encounter-coded")

    # Clicking a code highlights exactly its evidence spans.
    first = codes.nth(0)
    first_id = first.get_attribute("data-code-id")
    assert page.locator("mark.ev.on").count() == 0
    first.locator("[data-show-evidence]").click()
    lit = page.locator("mark.ev.on")
    assert lit.count() >= 1
    for i in range(lit.count()):
        assert first_id in lit.nth(i).get_attribute("data-codes").split()
    assert lit.first.is_visible()
    shots.take(page, "03-evidence-highlighted")

    # Accept the first, reject the second with a reason, accept the rest.
    first.locator("button:has-text('Accept')").click()
    page.wait_for_selector(f"li.code[data-code-id='{first_id}'].state-accepted")
    # The scrub panel follows the codes: the claim from the final codes has findings (the
    # uploaded note's encounter has no date of service, a front-end rejection).
    page.wait_for_selector("[data-testid=scrub-findings] [data-testid=finding-CLM-DATE-001]")
    finding = page.get_by_test_id("finding-CLM-DATE-001")
    assert finding.get_attribute("data-severity") == "reject"
    assert "date of service" in finding.inner_text().lower()
    assert "blocking" in page.get_by_test_id("scrub-verdict").inner_text().lower()
    shots.take(page, "03b-scrub-findings")
    # The claim preview follows the codes too: the accepted code is on the claim.
    first_code = first.locator(".code-id").inner_text().strip()
    web_first().expect(page.get_by_test_id("claim-preview")).to_contain_text(first_code)
    second = page.locator("li.code").nth(1)
    second_id = second.get_attribute("data-code-id")
    second.locator("button:has-text('Reject')").click()  # no reason: the form refuses
    assert second.locator("input[name=reason]").evaluate("el => !el.validity.valid")
    assert page.locator(f"li.code[data-code-id='{second_id}'].state-suggested").count() == 1
    second.locator("input[name=reason]").fill("not documented as a current condition")
    second.locator("button:has-text('Reject')").click()
    page.wait_for_selector(f"li.code[data-code-id='{second_id}'].state-rejected")
    assert "not documented" in page.locator(f"li.code[data-code-id='{second_id}']").inner_text()
    while page.locator("li.code.state-suggested").count():
        before = page.locator("li.code.state-suggested").count()
        page.locator("li.code.state-suggested").first.locator("button:has-text('Accept')").click()
        web_first().expect(page.locator("li.code.state-suggested")).to_have_count(before - 1)
    assert page.get_by_test_id("pending-count").inner_text() == "0"
    shots.take(page, "04-reviewed")

    # Finalize: the status changes and the review buttons are gone.
    page.get_by_test_id("finalize").click()
    expect_text(page.get_by_test_id("encounter-status"), "finalized")
    assert page.locator("li.code button:has-text('Accept')").count() == 0
    activity = page.get_by_test_id("activity").inner_text()
    assert "finalize encounter" in activity and "reject suggestion" in activity

    # The claim preview downloads with the accepted codes only.
    with page.expect_download() as info:
        page.get_by_test_id("claim-download").click()
    claim = json.loads(Path(info.value.path()).read_text())
    assert claim["status"] == "finalized"
    kept = {d["code"] for d in claim["diagnoses"]} | {line["code"] for line in claim["lines"]}
    rejected_code = page.locator(f"li.code[data-code-id='{second_id}'] .code-id").inner_text()
    assert rejected_code not in kept and kept
    shots.take(page, "05-finalized")

    # The 837P: a wrong NPI shows the API's message; filled in, the file downloads.
    form = page.get_by_test_id("claim-837p")
    template = json.loads(form.locator("textarea[name=claim]").input_value())
    assert {"patient", "payer", "billing_provider", "lines"} <= template.keys()
    filled = _synthetic_claim(template)
    filled["billing_provider"]["npi"] = "1234567890"
    form.locator("textarea[name=claim]").fill(json.dumps(filled))
    form.locator("button:has-text('Download 837P')").click()
    page.wait_for_selector("[data-testid=claim-837p] [data-error]:not([hidden])")
    assert "billing_provider.npi" in form.locator("[data-error]").inner_text()
    filled["billing_provider"]["npi"] = "1234567893"
    form.locator("textarea[name=claim]").fill(json.dumps(filled))
    with page.expect_download() as info:
        form.locator("button:has-text('Download 837P')").click()
    assert info.value.suggested_filename == f"encounter-{encounter_id}.837"
    x12 = Path(info.value.path()).read_text()
    assert x12.startswith("ISA")
    assert any(d["code"].replace(".", "") in x12 for d in claim["diagnoses"]), (
        "the final codes belong in HI"
    )
    # The export stored its scrub run: the page names it.
    page.reload()
    assert "Last 837P export" in page.get_by_test_id("scrub-last-export").inner_text()

    # Write a report and send it for physician review.
    page.fill("form[data-api='POST /api/reports'] textarea[name=body]", "Codes reviewed.\n")
    page.click("form[data-api='POST /api/reports'] button[type=submit]")
    page.wait_for_url(f"{base}/ui/reports/*")
    report_url = page.url
    page.click("details.more summary")
    page.fill("form[data-api$='/versions'] textarea[name=body]", "Codes reviewed and finalized.\n")
    page.fill("form[data-api$='/versions'] input[name=note]", "state the outcome")
    page.click("form[data-api$='/versions'] button[type=submit]")
    page.wait_for_selector(".diff .dl-add")
    assert "Codes reviewed and finalized." in page.locator(".diff .dl-add").inner_text()
    assert "Codes reviewed." in page.locator(".diff .dl-del").inner_text()
    page.click("button:has-text('Send for physician review')")
    expect_text(page.get_by_test_id("report-state"), "physician review")
    shots.take(page, "06-report-sent")
    # Share it with the physician who reviews it (minimum necessary: nobody else sees it).
    page.get_by_test_id("share-report").locator("summary").click()
    page.get_by_test_id("share-report").locator("input[name=username]").fill("phil")
    page.get_by_test_id("share-report").locator("button[type=submit]").click()
    web_first().expect(page.get_by_test_id("activity")).to_contain_text("share")
    log_out(page, base)

    # The physician may return it for corrections but not approve it.
    log_in(page, base, "phil")
    page.goto(report_url)
    buttons = page.get_by_test_id("transitions").inner_text()
    assert "Return for corrections" in buttons and "Approve" not in buttons
    assert page.locator("li.code").count() == 0  # (a report page shows no review buttons)
    log_out(page, base)

    # The manager approves and submits; the dashboard counts it all.
    log_in(page, base, "mona")
    assert "finalized" in page.get_by_test_id("worklist").inner_text().lower()
    shots.take(page, "07a-worklist")
    page.goto(report_url)
    page.click("button:has-text('Approve')")
    expect_text(page.get_by_test_id("report-state"), "approved")
    page.click("button:has-text('Submit to management')")
    expect_text(page.get_by_test_id("report-state"), "submitted")
    history = page.get_by_test_id("activity").inner_text()
    assert "draft → physician review" in history and "approved → submitted" in history
    shots.take(page, "07-report-submitted")
    page.click("nav a:has-text('Dashboard')")
    assert page.get_by_test_id("kpi-finalized").locator(".kpi-value").inner_text() == "1"
    accuracy = page.get_by_test_id("kpi-accuracy").locator(".kpi-value").inner_text()
    assert accuracy == f"{round(100 * (count - 1) / count)}%"
    assert page.locator("svg rect").count() >= 3
    shots.take(page, "08-dashboard")

    assert not problems, problems
    context.close()

    transitions = [r.detail for r in audit_rows(app, entity="report", action="transition")]
    assert transitions == [
        "draft->physician_review",
        "physician_review->approved",
        "approved->submitted",
    ]
    assert [r.username for r in audit_rows(app, action="finalize")] == ["cora"]
    assert audit_rows(app, entity="encounter", entity_id=str(encounter_id), action="read")
