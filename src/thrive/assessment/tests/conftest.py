from datetime import date

import pytest

from thrive.accounts.models import Role
from thrive.assessment import services
from thrive.conftest import make_user


@pytest.fixture
def site_lead(camhs_team):
    return make_user("sam.lead", None, role=Role.SITE_LEAD)


@pytest.fixture
def member_a(camhs_team):
    return make_user("amy.member", camhs_team)


@pytest.fixture
def member_b(school_team):
    return make_user("ben.member", school_team)


@pytest.fixture
def round_(site_lead, member_a, member_b):
    r = services.create_round(
        lead=site_lead,
        title="Northvale baseline",
        scope="locality",
        locality="Northvale",
        held_on=date(2025, 3, 1),
        period_start=date(2024, 4, 1),
        period_end=date(2025, 3, 31),
    )
    services.add_member(r, user=member_a)
    services.add_member(r, user=member_b)
    return r


def all_scores(value, notes=""):
    from thrive.assessment.principles import IDS

    return {pid: (value, notes) for pid in IDS}
