"""A Risk Support plan's review more than a year ahead needs an explicit confirmation."""

import html
from datetime import timedelta

from django.urls import reverse

from thrive.risk.models import RiskSupportPlan

from .helpers import TODAY, plan_data


def test_a_plan_review_years_ahead_is_refused_until_confirmed(signed_in, episode, person,
                                                              practitioner, agencies):
    url = reverse("risk:new", args=[person.public_id])
    far = TODAY + timedelta(days=3 * 365)
    response = signed_in.post(url, plan_data(practitioner, agencies, review_on=far))
    page = html.unescape(response.content.decode())
    assert response.status_code == 200 and "There is a problem" in page
    assert "Review date is more than a year after" in page
    assert not RiskSupportPlan.objects.exists()
    data = plan_data(practitioner, agencies, review_on=far)
    data["confirm_distant_review"] = "yes"
    assert signed_in.post(url, data).status_code == 302
    assert RiskSupportPlan.objects.get().review_on == far
