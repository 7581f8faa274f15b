from datetime import date

import pytest

from thrive.accounts.models import Role
from thrive.community import services
from thrive.community.models import Community
from thrive.conftest import make_user


@pytest.fixture
def facilitator(db):
    return make_user("fay.facilitator", None, role=Role.FACILITATOR)


@pytest.fixture
def factor_set(db):
    return services.load_factor_set()


@pytest.fixture
def community(db):
    return services.create_community(name="Northvale East", scheme=Community.Scheme.WARD,
                                     code="E05000001")


@pytest.fixture
def assessment(facilitator, factor_set, community):
    return services.create_assessment(
        user=facilitator, community=community, period_start=date(2026, 9, 1),
        period_end=date(2026, 11, 30), purpose="Annual community assessment",
        factor_set=factor_set, factors=factor_set.factors.all())


@pytest.fixture
def open_assessment(assessment):
    return services.open_for_ratings(assessment)


def factor(assessment, key):
    return assessment.factors_in_scope.get(key=key)


def participants_rate(assessment, key, values, *, role="resident", age_band="25-64",
                      importance=None):
    """One participant per value, each rating factor `key` (None = skipped, "dk" = don't know)."""
    f = factor(assessment, key)
    made = []
    for value in values:
        p = services.join(assessment, role=role, age_band=age_band)
        if value is not None:
            services.rate(p, f, services.Answer(
                condition=None if value == "dk" else value, dont_know=value == "dk",
                importance=importance))
        made.append(p)
    return made
