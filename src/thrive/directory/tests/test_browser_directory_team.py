"""The directory team and providers in a real browser, at 375 px and on a desktop: an editor
retires a service and sees it leave the Open Referral feed; an editor adds a place by postcode
and the results map shows it with a numbered, labelled marker; a provider suggests changes
through their link on a phone and the editor approves them. axe-core checks every page; the
Content Security Policy must block nothing."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from thrive.accounts.models import Role
from thrive.browser_tests.support import DESKTOP, PHONE, assert_accessible
from thrive.conftest import PASSWORD, make_user
from thrive.directory import services
from thrive.directory.models import ChangeSuggestion, Service

pytestmark = pytest.mark.browser

SIZES = [pytest.param(PHONE, id="375px"), pytest.param(DESKTOP, id="desktop")]


@pytest.fixture
def directory(transactional_db):
    services.load_demo()
    make_user("eddie.editor", None, role=Role.DIRECTORY_EDITOR)


def open_at(new_page, viewport):
    if viewport == PHONE:
        return new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    return new_page(viewport=viewport)


def sign_in_as_editor(page):
    page.goto(reverse("directory:manage"))
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Username").fill("eddie.editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Directory listings")
    assert_accessible(page)


def open_listing(page, name):
    page.get_by_label("Service name").fill(name)
    page.get_by_role("button", name="Find").click()
    assert_accessible(page)
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    assert_accessible(page)


def feed_ids(page) -> set[str]:
    """Every service id the Open Referral feed publishes (read as a feed consumer would)."""
    response = page.request.get("/openreferral/services?per_page=200")
    assert response.ok
    return {item["id"] for item in response.json()["contents"]}


@pytest.mark.parametrize("viewport", SIZES)
def test_an_editor_retires_a_service_and_it_leaves_the_feed(new_page, directory, viewport):
    page = open_at(new_page, viewport)
    swim = Service.objects.get(name="Family swim")
    sign_in_as_editor(page)
    assert str(swim.oruk_id) in feed_ids(page)
    open_listing(page, "Family swim")

    page.get_by_role("button", name="Retire this listing").click()
    expect(page.get_by_role("status")).to_contain_text("Family swim retired")
    expect(page.get_by_text("Not listed, published or searchable")).to_be_visible()
    assert_accessible(page)
    assert str(swim.oruk_id) not in feed_ids(page)
    assert page.request.get(f"/openreferral/services/{swim.oruk_id}").status == 404

    page.get_by_role("button", name="Restore this listing").click()
    expect(page.get_by_role("status")).to_contain_text("Family swim restored")
    assert_accessible(page)
    assert str(swim.oruk_id) in feed_ids(page)
    if viewport == PHONE:
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("viewport", SIZES)
def test_an_editor_adds_a_place_and_the_results_map_marks_it(new_page, directory, viewport,
                                                            settings):
    # The live server's own image stands in for the tile server (the tests have no internet).
    settings.THRIVE_MAP_TILE_URL = "/static/leaflet/images/layers.png?{z}/{x}/{y}"
    page = open_at(new_page, viewport)
    sign_in_as_editor(page)
    open_listing(page, "Family swim")
    page.get_by_role("link", name=re.compile("^Add a place")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Add a place"))
    assert_accessible(page)

    page.get_by_label("Name of the place").fill("Northvale Leisure Centre")
    page.get_by_label("Address line 1").fill("1 Pool Street")
    page.get_by_label("Town or city").fill("Northvale")
    page.get_by_label("County").fill("North Yorkshire")
    page.get_by_label("Postcode").fill("NV1")
    page.get_by_role("button", name="Add place").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a full postcode")
    assert_accessible(page)
    page.get_by_label("Postcode").fill("nv1 1aa")
    page.get_by_label("Saturday", exact=True).check()
    page.get_by_label("Opens at (optional)").fill("09:00")
    page.get_by_label("Closes at (optional)").fill("11:00")
    page.get_by_role("button", name="Add place").click()
    expect(page.get_by_role("status")).to_contain_text("Saved Northvale Leisure Centre")
    expect(page.get_by_text("1 Pool Street, Northvale NV1 1AA")).to_be_visible()
    expect(page.get_by_role("cell", name="Places")).to_be_visible()
    assert_accessible(page)

    page.goto(reverse("directory:search") + "?q=family+swim")
    results = page.locator("ol.thrive-results")
    expect(results).to_contain_text("Family swim")
    marker = page.get_by_role("img", name=re.compile(r"^\d+\. Family swim$"))
    expect(marker).to_be_visible()
    number = marker.get_attribute("aria-label").split(".")[0]
    expect(page.get_by_role("heading", name="Map of the services on this page")).to_be_visible()
    # The same number shows beside the service in the list, which stays first.
    card = results.get_by_role("listitem").filter(has_text="Family swim").first
    expect(card.locator(".thrive-map-number")).to_have_text(number)
    assert results.bounding_box()["y"] < page.locator(".thrive-map").bounding_box()["y"]
    assert_accessible(page)
    card.get_by_role("link", name="Family swim").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Family swim")
    expect(page.get_by_text("Northvale Leisure Centre")).to_be_visible()
    assert_accessible(page)


def test_when_the_map_scripts_do_not_run_the_results_are_whole_and_no_map_shows(
        new_page, directory, settings):
    # Playwright cannot run axe with JavaScript switched off, so the map's scripts are blocked
    # instead: the page must be whole without them (the HTML test checks the section is hidden).
    settings.THRIVE_MAP_TILE_URL = "/static/leaflet/images/layers.png?{z}/{x}/{y}"
    page = new_page(viewport=PHONE, is_mobile=True)
    page.route(re.compile(r"/static/(leaflet/leaflet|directory/map)\.js"),
               lambda route: route.abort())
    page.goto(reverse("directory:search") + "?q=feeling+low")
    expect(page.get_by_role("heading", name=re.compile(r"services? found"))).to_be_visible()
    expect(page.get_by_text("Low mood support sessions").first).to_be_visible()
    expect(page.get_by_role("heading", name="Map of the services on this page")).to_be_hidden()
    expect(page.locator(".thrive-map-number").first).to_be_hidden()
    assert_accessible(page)


@pytest.mark.parametrize("viewport", SIZES)
def test_a_provider_suggests_changes_on_a_phone_and_the_editor_approves(new_page, directory,
                                                                         viewport):
    editor = open_at(new_page, viewport)
    sign_in_as_editor(editor)
    open_listing(editor, "Family swim")
    editor.get_by_role("link", name=re.compile("^Invite the provider")).click()
    assert_accessible(editor)
    editor.get_by_role("button", name="Make the link").click()
    expect(editor.get_by_role("alert")).to_contain_text("Enter who you are sending the link to")
    assert_accessible(editor)
    editor.get_by_label("Who are you sending the link to?").fill("Jo, pool manager")
    editor.get_by_role("button", name="Make the link").click()
    link = editor.get_by_label("Link for the provider").input_value()
    assert "/directory/suggest/" in link
    assert_accessible(editor)

    provider = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    provider.goto(link)
    expect(provider.get_by_role("heading", level=1)).to_contain_text(
        "Suggest changes to your listing")
    assert_accessible(provider)
    provider.get_by_role("button", name="Send changes for review").click()
    expect(provider.get_by_role("alert")).to_contain_text("You have not changed anything")
    assert_accessible(provider)
    provider.get_by_label("Email (optional)").fill("swim@example.org")
    provider.get_by_role("button", name="Send changes for review").click()
    expect(provider.get_by_role("heading", level=1)).to_have_text(
        "Thank you: your changes have been sent")
    assert_accessible(provider)
    assert provider.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    provider.goto(link)
    expect(provider.get_by_role("heading", level=1)).to_have_text("This link cannot be used")
    assert_accessible(provider)

    editor.goto(reverse("directory:manage"))
    expect(editor.get_by_role("heading", name="Changes providers have suggested")).to_be_visible()
    assert_accessible(editor)
    editor.get_by_role("link", name="Family swim").first.click()
    expect(editor.get_by_role("table")).to_contain_text("swim@example.org")
    assert_accessible(editor)
    editor.get_by_role("button", name="Approve these changes").click()
    expect(editor.get_by_role("status")).to_contain_text("Approved")
    expect(editor.get_by_role("cell", name="Email")).to_be_visible()
    assert_accessible(editor)
    assert ChangeSuggestion.objects.get().status == "approved"
    response = editor.request.get(
        f"/openreferral/services/{Service.objects.get(name='Family swim').oruk_id}")
    assert response.json()["email"] == "swim@example.org"
