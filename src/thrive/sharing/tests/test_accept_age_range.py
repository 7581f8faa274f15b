"""Accepting a referral for someone outside the receiving agency's age range needs a reason."""

import html
from datetime import date

from django.urls import reverse

from thrive.accounts.models import Agency
from thrive.care.models import Episode
from thrive.conftest import make_episode, make_user, make_young_person
from thrive.sharing.models import AgencyReferral


def test_accepting_outside_the_age_range_needs_a_reason(client, school_team, camhs, camhs_team,
                                                        practitioner):
    Agency.objects.filter(pk=camhs.pk).update(min_age=0, max_age=18)
    worker = make_user("sue.school", school_team)
    adult = make_young_person(date_of_birth=date(1980, 4, 2))
    make_episode(adult, school_team, worker)
    referral = AgencyReferral.objects.create(
        young_person=adult, from_agency=school_team.agency, to_agency=camhs, sent_by=worker,
        reason="Low mood", consent_override_reason="Safeguarding: urgent")
    client.force_login(practitioner)
    url = reverse("sharing:accept", args=[referral.public_id])
    response = client.post(url, {"accept-team": camhs_team.pk, "accept-version": referral.version,
                                 "accept-leave_on_waiting_list": "no"})
    page = html.unescape(response.content.decode())
    assert response.status_code == 200 and "There is a problem" in page
    assert "outside Test CAMHS's age range (0 to 18)" in page
    assert not Episode.objects.filter(agency=camhs).exists()
    referral.refresh_from_db()
    assert referral.status == "sent"
    response = client.post(url, {"accept-team": camhs_team.pk, "accept-version": referral.version,
                                 "accept-leave_on_waiting_list": "no",
                                 "accept-age_reason": "Parent-infant work: her baby is the patient"})
    assert response.status_code == 302
    assert Episode.objects.get(agency=camhs).age_reason.startswith("Parent-infant work")
