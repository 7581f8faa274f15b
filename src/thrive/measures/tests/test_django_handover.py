"""Handing a tablet to a young person or parent, and taking it back."""

from datetime import date

import pytest
from django.urls import reverse

from thrive.conftest import PASSWORD
from thrive.measures.models import Completion
from thrive.measures.tests.stepping import answer_in_steps

pytestmark = pytest.mark.django_db


def hand_over(client, episode, measure="phq9", rater="self", pin="4821"):
    url = (reverse("measures:hand-over", args=[episode.public_id])
           + f"?measure={measure}&rater={rater}&method=tablet")
    response = client.post(url, {"pin": pin})
    assert response.status_code == 302 and response.url == reverse("measures:tablet")


def test_choose_tablet_goes_to_hand_over(signed_in, episode):
    response = signed_in.post(reverse("measures:new", args=[episode.public_id]),
                              {"measure": "gad7", "rater": "self", "method": "tablet"})
    assert response.url.startswith(reverse("measures:hand-over", args=[episode.public_id]))


def test_pin_must_be_four_digits(signed_in, episode):
    url = (reverse("measures:hand-over", args=[episode.public_id])
           + "?measure=phq9&rater=self&method=tablet")
    response = signed_in.post(url, {"pin": "12a"})
    assert "PIN must be 4 digits" in response.content.decode()
    assert "measures_handover" not in signed_in.session


def test_tablet_page_shows_nothing_from_the_record(signed_in, episode, person, practitioner):
    hand_over(signed_in, episode)
    html = signed_in.get(reverse("measures:tablet")).content.decode()
    assert "1. Little interest or pleasure in doing things" in html and "Nearly every day" in html
    for private in (person.given_name, person.family_name, person.nhs_number, episode.team.name,
                    practitioner.first_name, "My caseload", "Sign out"):
        assert private not in html


def test_every_other_url_returns_to_the_tablet(signed_in, episode, person):
    hand_over(signed_in, episode)
    for url in (reverse("care:caseload"), reverse("people:record", args=[person.public_id]),
                reverse("measures:episode", args=[episode.public_id]), "/measures/fhir/Questionnaire/phq9"):
        response = signed_in.get(url)
        assert response.status_code == 302 and response.url == reverse("measures:tablet"), url


def test_complete_then_hand_back_with_the_pin(signed_in, episode):
    hand_over(signed_in, episode)
    response = answer_in_steps(signed_in, reverse("measures:tablet"), "phq9",
                               {n: "1" for n in range(1, 10)})
    assert response.status_code == 302
    done = signed_in.get(reverse("measures:tablet")).content.decode()
    assert "hand the tablet back" in done and "9" not in done.split("<h1>")[1][:60]
    completion = Completion.objects.get()
    assert completion.on_tablet and completion.completed_on == date.today()
    assert completion.scores.get(scale_id="total").value == 9
    # Still locked until the PIN is entered.
    assert signed_in.get(reverse("care:caseload")).url == reverse("measures:tablet")
    response = signed_in.post(reverse("measures:hand-back"), {"secret": "4821"})
    assert response.url == reverse("measures:completion", args=[completion.public_id])
    assert signed_in.get(reverse("care:caseload")).status_code == 200
    assert "Total" in signed_in.get(response.url).content.decode()


def test_out_of_range_on_the_tablet_is_refused(signed_in, episode):
    hand_over(signed_in, episode)
    response = signed_in.post(reverse("measures:tablet"), {"step": "1", "item_1": "7"})
    assert "Question 1: choose one of the answers" in response.content.decode()
    assert not Completion.objects.exists()


def test_hand_back_with_password_before_finishing_saves_nothing(signed_in, episode):
    hand_over(signed_in, episode)
    response = signed_in.post(reverse("measures:hand-back"), {"secret": PASSWORD})
    assert response.url == reverse("measures:episode", args=[episode.public_id])
    assert not Completion.objects.exists()
    assert signed_in.get(reverse("care:caseload")).status_code == 200


def test_five_wrong_pins_sign_out(signed_in, episode):
    hand_over(signed_in, episode)
    for _attempt in range(4):
        response = signed_in.post(reverse("measures:hand-back"), {"secret": "0000"})
        assert response.status_code == 200
        assert "is not right" in response.content.decode()
    response = signed_in.post(reverse("measures:hand-back"), {"secret": "0000"})
    assert response.url == reverse("accounts:sign-in")
    response = signed_in.get(reverse("care:caseload"))
    assert response.status_code == 302 and "/account/sign-in" in response.url
