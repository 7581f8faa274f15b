"""A system administrator sets the ages an agency sees; nobody else can."""

import pytest
from django.urls import reverse

from thrive.accounts.models import Role
from thrive.conftest import make_user
from thrive.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_the_system_admin_sets_an_agencys_age_range_from_its_staff_page(client, camhs):
    client.force_login(make_user("sam.sysadmin", None, Role.SYSTEM_ADMIN))
    staff_page = client.get(reverse("accounts:agency-staff", args=[camhs.pk])).content.decode()
    url = reverse("accounts:agency-age-range", args=[camhs.pk])
    assert "sees young people aged any age" in staff_page and url in staff_page
    response = client.post(url, {"min_age": "18", "max_age": "5"})
    assert "Oldest age seen must be the same as or more than the youngest (18)" in \
        response.content.decode()
    camhs.refresh_from_db()
    assert (camhs.min_age, camhs.max_age) == (None, None)
    assert client.post(url, {"min_age": "0", "max_age": "18"}).status_code == 302
    camhs.refresh_from_db()
    assert (camhs.min_age, camhs.max_age) == (0, 18)
    assert AuditEvent.objects.filter(detail="staff: age range any age > 0 to 18").exists()


def test_a_new_agency_can_have_an_age_range(client):
    client.force_login(make_user("sam.sysadmin", None, Role.SYSTEM_ADMIN))
    response = client.post(reverse("accounts:agency-add"),
                           {"name": "Northvale 0-25", "kind": "charity", "max_age": "25"})
    assert response.status_code == 302
    staff_page = client.get(response.url).content.decode()
    assert "Northvale 0-25 sees young people aged up to 25" in staff_page


@pytest.mark.parametrize("role", [Role.AGENCY_ADMIN, Role.TEAM_MANAGER])
def test_no_one_else_may_change_it(client, camhs, camhs_team, role):
    client.force_login(make_user("x.other", camhs_team, role))
    response = client.post(reverse("accounts:agency-age-range", args=[camhs.pk]),
                           {"min_age": "0", "max_age": "1"})
    assert response.status_code == 403
    camhs.refresh_from_db()
    assert camhs.max_age is None
