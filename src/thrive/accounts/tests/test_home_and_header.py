"""Every role lands somewhere useful from `/` and the THRIVE logo, and every header link it is
shown opens (200) for it: nothing in a role's own header or home answers 403."""

import re
from html import unescape

import pytest
from django.urls import reverse

from thrive.accounts.models import Role
from thrive.conftest import make_user

pytestmark = pytest.mark.django_db

# role -> (where `/` lands, the header links shown, in order)
EXPECTED = {
    Role.PRACTITIONER: ("care:caseload", ["My caseload", "Find a young person", "Add a young person",
                                          "Referrals", "Emergency access"]),
    Role.TEAM_MANAGER: ("care:caseload", ["My caseload", "Waiting list", "Find a young person",
                                          "Add a young person", "Referrals", "Emergency access",
                                          "Analytics"]),
    Role.ANALYST: ("analytics:dashboard", ["Analytics", "Self-assessment"]),
    Role.PRIVACY_OFFICER: ("sharing:alerts", ["Access alerts"]),
    Role.SYSTEM_ADMIN: ("accounts:staff", ["Agencies and staff", "Duplicate records",
                                           "Directory listings", "Self-assessment"]),
    Role.AGENCY_ADMIN: ("accounts:staff", ["Your agency's staff", "Questionnaire wording"]),
    Role.FACILITATOR: ("community:home", ["Community THRIVE"]),
    Role.SITE_LEAD: ("assessment:index", ["Self-assessment"]),
    Role.DIRECTORY_EDITOR: ("directory:manage", ["Directory listings"]),
}


def header_links(html: str) -> list[tuple[str, str]]:
    nav = re.search(r'<nav class="nhsuk-header__navigation".*?</nav>', html, re.S)
    if not nav:
        return []
    return [(href, unescape(re.sub(r"<[^>]+>", "", text)).strip()) for href, text in
            re.findall(r'<a\s+class="nhsuk-header__navigation-link" href="([^"]+)"[^>]*>(.*?)</a>',
                       nav.group(0), re.S)]


def test_every_role_is_listed():
    assert set(EXPECTED) == set(Role)


@pytest.mark.parametrize("role", list(Role))
def test_home_lands_on_the_roles_own_page_and_every_header_link_opens(client, camhs_team, role):
    team = None if role in (Role.SYSTEM_ADMIN, Role.ANALYST, Role.PRIVACY_OFFICER,
                            Role.FACILITATOR, Role.SITE_LEAD, Role.DIRECTORY_EDITOR) else camhs_team
    client.force_login(make_user("sam.someone", team, role))
    landing, expected_links = EXPECTED[role]
    response = client.get("/", follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    if landing:
        # follow=True may go one step further (an agency admin's staff page is their agency's)
        assert response.redirect_chain[0][0] == reverse(landing)
    else:
        assert response.redirect_chain == []
        assert "Signed in as" in page
    # The THRIVE logo goes home, never to a page the role cannot open.
    assert re.search(r'class="nhsuk-header__service-logo"|nhsuk-header__service', page)
    assert f'href="{reverse("care:home")}"' in page
    links = header_links(page)
    assert [text for _, text in links] == expected_links
    for href, text in links:
        assert client.get(href, follow=True).status_code == 200, text


def test_the_current_page_is_marked_in_the_header(client, camhs_team):
    client.force_login(make_user("ana.analyst", None, Role.ANALYST))
    page = client.get(reverse("analytics:dashboard")).content.decode()
    assert re.search(r'href="/analytics/"\s+aria-current="page"', page)


@pytest.mark.parametrize("status_page", ["/caseload/", "/young-people/no-such-page/"])
def test_refusals_and_missing_pages_point_home_not_to_the_caseload(client, status_page):
    client.force_login(make_user("ana.analyst", None, Role.ANALYST))
    response = client.get(status_page)
    assert response.status_code in (403, 404)
    page = response.content.decode()
    assert "Go to your home page" in page and "Go to your caseload" not in page
