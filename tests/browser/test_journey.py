"""Browser journey in Debian's chromium (headless, through Playwright): sign in, create a record, see it in
its history. Screenshots are saved to test-artifacts/ for the CI log."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("STEWARD_TEST_ARTIFACTS", "test-artifacts"))

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def chromium_or_skip() -> str:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    reason = "Debian's chromium is not installed (apt-get install chromium); the browser journey needs it"
    if os.environ.get("STEWARD_REQUIRE_BROWSER"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture
def browser_page(live_server: Any) -> Any:
    executable = chromium_or_skip()
    # Playwright's sync API runs an event loop in this thread; the ORM calls above it are finished.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        try:
            yield page
        finally:
            browser.close()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def test_sign_in_create_a_record_and_see_it_in_its_history(
    personas: Any, live_server: Any, browser_page: Any
) -> None:
    from tests.conftest import PASSWORD

    page = browser_page
    page.goto(live_server.url + "/")
    page.get_by_label("E-mail address").fill("contributor@acme.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")
    page.screenshot(path=str(ARTIFACTS / "1-dashboard.png"), full_page=True)

    page.get_by_role("link", name="Interested parties", exact=True).click()
    page.get_by_role("link", name="Add interested party").click()
    # Server-side validation shown inline (htmx swaps the form).
    page.get_by_role("button", name="Save").click()
    page.locator(".invalid-feedback").first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "2-validation.png"), full_page=True)

    page.get_by_label("Name").fill("Patients' association")
    page.get_by_label("Type").select_option("society")
    page.get_by_label("Needs and expectations").fill("Clear notice when an AI system triages requests.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/context/interested-parties/IP-*/")
    assert page.get_by_role("heading", name="Patients' association").is_visible()

    page.get_by_role("link", name="History").click()
    page.wait_for_url("**/history/")
    row = page.locator("tbody tr").first
    assert "contributor@acme.example" in row.inner_text()
    assert "Created" in row.inner_text()
    assert "Patients' association" in page.content()
    page.screenshot(path=str(ARTIFACTS / "3-history.png"), full_page=True)

    # Phone-sized screen: navigation collapses behind the toggler and the page still works.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/context/interested-parties/")
    page.get_by_role("button", name="Show navigation").click()
    page.get_by_role("link", name="Activity log").wait_for()
    page.screenshot(path=str(ARTIFACTS / "4-phone.png"), full_page=True)
