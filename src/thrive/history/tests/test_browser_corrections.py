"""In a real browser, axe-core on every page: a practitioner marks a contact entered in error (the
reason is required), sees it struck through with the reason, and reads the record's history of
changes after correcting the young person's school."""

import re
from datetime import time, timedelta

import pytest
from playwright.sync_api import expect

from thrive.browser_tests.support import assert_accessible, sign_in
from thrive.care.models import Contact

from .helpers import TODAY

pytestmark = pytest.mark.browser


def test_mark_a_contact_entered_in_error_and_read_the_history(page, episode, practitioner):
    person = episode.young_person
    for days in (12, 5):
        Contact.objects.create(episode=episode, date=TODAY - timedelta(days=days), time=time(10, 0),
                               mode="telephone", attendance="attended", practitioner=practitioner)
    sign_in(page, practitioner.username)
    page.locator("tr", has_text=person.full_name).get_by_role("link", name=person.full_name).click()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Mark as entered in error.*contact on")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Mark this contact as entered in error")
    assert_accessible(page)
    page.get_by_role("button", name="Mark as entered in error").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Enter why this was entered in error")
    assert_accessible(page)
    page.get_by_label("Why was this entered in error?").fill("Recorded in the wrong record")
    page.get_by_role("button", name="Mark as entered in error").click()
    wrong = page.locator("tr.thrive-entered-in-error")
    expect(wrong).to_have_count(1)
    expect(wrong).to_contain_text("Entered in error: Recorded in the wrong record, by")
    expect(wrong.locator("s").first).to_be_visible()
    assert_accessible(page)
    assert Contact.objects.valid().count() == 1

    page.get_by_role("link", name="History of changes to the record and key dates").click()
    expect(page.locator("#no-changes")).to_be_visible()
    assert_accessible(page)
