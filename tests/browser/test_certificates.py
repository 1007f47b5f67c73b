"""From a wrong answer to a revoked certificate, in Chromium: a learner fails a knowledge check and sees
why, passes it, completes the course with its final test, downloads the PDF; a visitor verifies the code;
an admin revokes it and the verification page says so; the Open Badges 3.0 credential the learner downloaded
verifies with an outside verifier, which then reads the revocation from the status list. axe-core checks every
new page."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys

from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from tests.browser.conftest import (
    READER_PASSWORD,
    answer_questions,
    live_env,
    log_in,
    module_questions,
)
from tests.conftest import ROOT, unavailable

COURSE = "eu-mdr-ivdr-essentials"
LEARNER = "kari.nordmann@example.no"
ADMIN = "registrar@example.org"


def create_user(email: str, name: str, role: str = "learner") -> None:
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "users", "create", email, "--password", "-",
                           "--name", name, "--role", role], cwd=ROOT, env=live_env, capture_output=True, text=True,
                          timeout=120, input=READER_PASSWORD + "\n")
    assert done.returncode == 0, done.stderr


def verify_credential(path) -> dict:
    """The outside verifier's report on a downloaded credential (tests/ob3/verify.mjs, on Node.js)."""
    verifier = ROOT / "tests" / "ob3"
    if shutil.which("node") is None or not (verifier / "node_modules").is_dir():
        unavailable("Node.js with tests/ob3/node_modules", "install nodejs and npm, then `make test` installs it")
    done = subprocess.run(["node", str(verifier / "verify.mjs"), str(path)], capture_output=True, text=True,
                          timeout=60)
    return json.loads(done.stdout)


def send(page: Page, module: str, *, right: bool) -> None:
    answer_questions(page, module_questions(COURSE, module, "en"), right=right)
    page.get_by_role("button", name="Send my answers").click()


def test_wrong_then_right_then_certified_verified_and_revoked(page: Page, browser: Browser, live_server: str,
                                                                axe_check):
    create_user(LEARNER, "Kari Nordmann")
    log_in(page, live_server, LEARNER)
    page.goto(f"{live_server}/courses/{COURSE}")
    page.get_by_role("button", name="Start the course").click()
    axe_check(page, "module page with its questions")

    send(page, "scope-and-roles", right=False)
    result = page.locator(".attempt-result")
    expect(result).to_contain_text("Your score: 0%")
    expect(result).to_contain_text("Not passed")
    expect(page.locator(".knowledge-check.reviewed.wrong").first).to_be_visible()
    expect(page.locator(".knowledge-check-feedback").first).to_be_visible()  # why the choice was wrong
    expect(page.get_by_text("The right answers are shown once you pass")).to_be_visible()
    axe_check(page, "result of a failed attempt")
    page.get_by_role("link", name="Back to the module").click()
    expect(page.locator(".module-footer")).to_contain_text("Pass this module's questions to complete it.")
    send(page, "scope-and-roles", right=True)
    expect(result).to_contain_text("Your score: 100%")
    expect(result).to_contain_text("You passed.")

    modules = ["classification", "conformity-assessment", "clinical-evidence", "post-market"]
    for module in modules:
        page.goto(f"{live_server}/courses/{COURSE}/modules/{module}")
        send(page, module, right=True)
        expect(result).to_contain_text("You passed.")
    page.goto(f"{live_server}/courses/{COURSE}/modules/final-test")
    axe_check(page, "final test module")
    page.get_by_role("button", name="Start the test").click()
    expect(page.locator("fieldset.knowledge-check")).to_have_count(10)  # drawn from the pool
    axe_check(page, "final test attempt")
    send(page, "final-test", right=True)
    expect(result).to_contain_text("You passed.")

    page.goto(f"{live_server}/courses/{COURSE}")
    expect(page.locator(".completion-status")).to_contain_text("You completed this course on")
    page.goto(f"{live_server}/dashboard")
    axe_check(page, "learning record")
    page.locator(".learning-record").get_by_role("link", name=re.compile("Certificate")).click()
    expect(page.locator(".certificate-name")).to_have_text("Kari Nordmann")
    axe_check(page, "certificate page")
    code = re.search(r"/certificates/([A-Z2-7]{24})", page.url).group(1)
    shown_code = "-".join(code[i:i + 4] for i in range(0, 24, 4))

    page.select_option("#certificate-language", "en")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the PDF").click()
    reader = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    for expected in ("Kari Nordmann", "EU medical device regulation essentials", "Hours: 6", shown_code):
        assert expected in text, expected

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the digital credential (Open Badges 3.0)").click()
    credential = download.value.path()
    report = verify_credential(credential)
    assert report["verified"] and report["revoked"] is False, report
    assert report["name"] == "Kari Nordmann"

    page.goto(f"{live_server}/account/data")  # everything held about the learner, attempts and certificate too
    expect(page.locator("#data-certificates")).to_contain_text(code)
    axe_check(page, "my data")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data (JSON)").click()
    exported = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert exported["profile"]["display_name"] == "Kari Nordmann" and len(exported["attempts"]) == 7

    visitor = browser.new_context(bypass_csp=True, locale="en-GB").new_page()
    visitor.goto(f"{live_server}/verify/{shown_code.lower()}")
    expect(visitor.locator("[role=status]")).to_have_text("This certificate is valid.")
    expect(visitor.locator(".verification")).to_contain_text("Kari Nordmann")
    axe_check(visitor, "verification page")

    create_user(ADMIN, "Rita Registrar", "admin")
    admin = browser.new_context(bypass_csp=True, locale="en-GB").new_page()
    log_in(admin, live_server, ADMIN)
    admin.goto(f"{live_server}/author/{COURSE}/sources")  # regulatory currency: mark a source as changed
    admin.get_by_label("What changed").first.fill("New consolidated text")
    admin.get_by_role("button", name=re.compile("Mark as changed")).first.click()
    expect(admin.get_by_role("button", name=re.compile("Reviewed, no change needed")).first).to_be_visible()
    axe_check(admin, "sources page with modules due for review")
    admin.goto(f"{live_server}/author/{COURSE}")
    expect(admin.locator(".review-due").first).to_be_visible()
    axe_check(admin, "workspace with reviews due and knowledge-check rules")
    admin.goto(f"{live_server}/certificates/{code}")
    admin.get_by_label("Reason (shown with the certificate)").fill("Issued in error: attempts made by someone else")
    admin.get_by_role("button", name="Revoke").click()
    expect(admin.locator(".certificate [role=status]")).to_contain_text("Revoked on")
    visitor.reload()
    expect(visitor.locator("[role=status]")).to_contain_text("This certificate was revoked on")
    axe_check(visitor, "verification page of a revoked certificate")
    after = verify_credential(credential)  # the file the learner kept, checked again by an outside verifier
    assert after["verified"] and after["revoked"] is True, after

    page.goto(f"{live_server}/account/delete")  # the learner deletes their account
    axe_check(page, "delete my account")
    page.get_by_label("I want my account deleted").check()
    page.get_by_label("Your password").fill(READER_PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.locator(".flash").first).to_contain_text("Your account is deleted")
    visitor.reload()
    expect(visitor.locator(".verification")).to_contain_text("a deleted account")
    expect(visitor.locator(".verification")).not_to_contain_text("Kari Nordmann")
