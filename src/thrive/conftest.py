"""Fixtures shared by every app's tests: a small locality built by hand, not the demo generator."""

import itertools
from datetime import date, timedelta

import pytest

from thrive.accounts.models import Agency, Role, Team, User
from thrive.care.models import Episode
from thrive.people.models import YoungPerson
from thrive.people.nhs_number import check_digit

PASSWORD = "correct-horse-battery-staple"
_bodies = itertools.count(999000001)


def valid_nhs_number() -> str:
    while True:
        body = str(next(_bodies))
        digit = check_digit(body)
        if digit is not None:
            return body + str(digit)


@pytest.fixture
def camhs(db):
    return Agency.objects.create(name="Test CAMHS", kind=Agency.Kind.NHS)


@pytest.fixture
def camhs_team(camhs):
    return Team.objects.create(agency=camhs, name="Getting Help team")


@pytest.fixture
def school(db):
    return Agency.objects.create(name="Test MHST", kind=Agency.Kind.SCHOOL)


@pytest.fixture
def school_team(school):
    return Team.objects.create(agency=school, name="MHST East")


def make_user(username, team, role=Role.PRACTITIONER, **extra):
    return User.objects.create_user(
        username=username, password=PASSWORD, role=role, agency=team.agency if team else None,
        team=team, first_name=username.split(".")[0].title(), last_name="Tester", **extra,
    )


@pytest.fixture
def practitioner(camhs_team):
    return make_user("pat.practitioner", camhs_team)


@pytest.fixture
def colleague(camhs_team):
    return make_user("cal.colleague", camhs_team)


@pytest.fixture
def manager(camhs_team):
    return make_user("mia.manager", camhs_team, Role.TEAM_MANAGER)


@pytest.fixture
def outsider(school_team):
    return make_user("olu.outsider", school_team)


def make_young_person(**fields) -> YoungPerson:
    defaults = dict(
        given_name="Amira", family_name="Khan", date_of_birth=date(2011, 3, 27), sex="2",
        nhs_number=valid_nhs_number(), school="Northvale Academy", local_authority="Northvale",
    )
    defaults.update(fields)
    return YoungPerson.objects.create(**defaults)


def make_episode(person, team, lead=None, **fields) -> Episode:
    defaults = dict(
        referral_received_on=date.today() - timedelta(days=60), referral_source="gp",
        referral_reason="anxiety", accepted_on=date.today() - timedelta(days=50),
    )
    defaults.update(fields)
    return Episode.objects.create(
        young_person=person, agency=team.agency, team=team, lead_practitioner=lead, **defaults
    )


@pytest.fixture
def person(db):
    return make_young_person()


@pytest.fixture
def episode(person, camhs_team, practitioner):
    return make_episode(person, camhs_team, practitioner)


@pytest.fixture
def signed_in(client, practitioner):
    client.force_login(practitioner)
    return client


@pytest.fixture(autouse=True, scope="session")
def _audit_key_file(tmp_path_factory):
    """Tests chain the audit log with a temporary key, never the one in var/."""
    import os

    os.environ["THRIVE_AUDIT_KEY_FILE"] = str(tmp_path_factory.mktemp("audit") / "keys.json")


# Browser fixtures are registered here, once for every package (see browser_tests/support.py).
# Imported last: support.py imports PASSWORD from this module.
from thrive.browser_tests.support import (  # noqa: E402, F401, I001 - fixtures used by name
    browser,
    new_page,
    page,
    pytest_runtest_makereport,
)
