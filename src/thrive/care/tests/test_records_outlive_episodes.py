"""Records that outlive an episode: a read-only relationship after an ending or a decline, for the
retention period; the lead practitioner's window for late additions; the grouping it ended in."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from thrive.accounts.models import Role
from thrive.care.models import ClosingLetter, Contact, Ending, GroupingDecision
from thrive.conftest import make_episode, make_user
from thrive.core.testing import form_data
from thrive.measures.models import Completion
from thrive.sharing import policy

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def end(episode, on=TODAY, user=None):
    return Ending.objects.create(episode=episode, ended_on=on, reason="goals_met", goals_met="met",
                                 agreed_with_family=True, next_step="none_needed",
                                 recorded_by=user or episode.lead_practitioner)


def years_ago(n, on=TODAY):
    return on.replace(year=on.year - n)


def record_page(client, person):
    return client.get(reverse("people:record", args=[person.public_id]))


def episode_page(client, episode):
    return client.get(reverse("care:episode", args=[episode.public_id]))


def test_after_the_ending_practitioner_and_manager_still_read_the_record_and_episode(
        client, person, episode, practitioner, manager):
    client.force_login(practitioner)
    response = client.post(reverse("care:ending", args=[episode.public_id]), form_data(
        ended_on=TODAY, reason="goals_met", goals_met="met", agreed_with_family=True,
        next_step="none_needed", version=str(episode.version)))
    assert response.status_code == 302
    for user in (practitioner, manager):
        client.force_login(user)
        record = record_page(client, person).content.decode()
        assert "the record is read only" in record and "Add a note" not in record
        page = episode_page(client, episode).content.decode()
        assert f"This episode ended on {TODAY.day} {TODAY:%B %Y}" in page
        assert "Record a contact" not in page and "Record a grouping decision" not in page


def test_nothing_can_be_added_to_an_ended_episode_but_the_window_additions(
        client, person, episode, practitioner):
    end(episode)
    client.force_login(practitioner)
    response = client.post(reverse("care:new-contact", args=[episode.public_id]), form_data(
        date=TODAY, time="10:00", mode="telephone", attendance="attended"))
    assert response.status_code == 403 and not Contact.objects.exists()
    response = client.post(reverse("sharing:new-note", args=[person.public_id]),
                           {"text": "Phoned mum", "sensitivity": "none"})
    assert response.status_code == 403


def test_the_key_dates_saved_redirect_after_a_decline_lands_on_the_episode(
        client, person, practitioner, camhs_team):
    episode = make_episode(person, camhs_team, practitioner, accepted_on=None)
    client.force_login(practitioner)
    response = client.post(reverse("care:key-dates", args=[episode.public_id]), form_data(
        triaged_on=TODAY, declined_on=TODAY, declined_reason="Better met by the school team",
        version=str(episode.version)), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Key dates saved" in page
    assert f"This referral was declined on {TODAY.day} {TODAY:%B %Y}" in page
    assert "Change key dates" not in page


@pytest.mark.parametrize("born_years_ago, ended_years_ago, retention, visible", [
    (30, 19, 20, True),    # within 20 years of the ending
    (40, 21, 20, False),   # 20 years passed and over 25: nothing
    (24, 21, 20, True),    # 20 years passed, but not yet 25
    (40, 21, 30, True),    # the installation keeps records longer
])
def test_the_read_only_relationship_lasts_for_the_retention_period(
        client, settings, person, practitioner, camhs_team, born_years_ago, ended_years_ago,
        retention, visible):
    settings.THRIVE_RECORD_RETENTION_YEARS = retention
    person.date_of_birth = years_ago(born_years_ago)
    person.save()
    episode = make_episode(person, camhs_team, practitioner,
                           referral_received_on=years_ago(ended_years_ago + 1),
                           accepted_on=years_ago(ended_years_ago + 1))
    end(episode, years_ago(ended_years_ago))
    client.force_login(practitioner)
    assert (record_page(client, person).status_code == 200) is visible
    assert (episode_page(client, episode).status_code == 200) is visible
    found = client.post(reverse("people:find"), {"q": person.nhs_number}).content.decode()
    assert (person.full_name in found) is visible


def test_a_later_open_episode_makes_the_relationship_standing_again(
        client, person, practitioner, camhs_team):
    end(make_episode(person, camhs_team, practitioner), TODAY - timedelta(days=300))
    assert policy.relationship(practitioner, person) == policy.ENDED
    make_episode(person, camhs_team, practitioner)
    assert policy.relationship(practitioner, person) == policy.STANDING
    assert policy.can_edit_record(practitioner, person)


def test_another_agency_gains_nothing_from_an_ended_episode(client, person, episode, outsider):
    end(episode)
    client.force_login(outsider)
    assert record_page(client, person).status_code == 404
    assert episode_page(client, episode).status_code == 404


# -- The lead practitioner's window after the ending ------------------------------------------


@pytest.mark.parametrize("days_since, allowed", [(0, True), (28, True), (29, False)])
def test_the_lead_may_add_for_28_days_after_the_ending(episode, practitioner, days_since, allowed):
    end(episode, TODAY - timedelta(days=days_since))
    episode.refresh_from_db()
    assert policy.can_add_after_ending(practitioner, episode) is allowed


def test_only_the_lead_may_add_after_the_ending_and_never_to_a_declined_referral(
        person, episode, practitioner, colleague, manager, camhs_team):
    end(episode)
    episode.refresh_from_db()
    assert not policy.can_add_after_ending(colleague, episode)
    assert not policy.can_add_after_ending(manager, episode)
    declined = make_episode(person, camhs_team, practitioner, accepted_on=None, declined_on=TODAY)
    assert not policy.can_add_after_ending(practitioner, declined)
    assert not policy.can_add_after_ending(practitioner, make_episode(person, camhs_team, practitioner))


def test_the_window_is_a_setting(settings, episode, practitioner):
    settings.THRIVE_POST_ENDING_WINDOW_DAYS = 7
    end(episode, TODAY - timedelta(days=8))
    episode.refresh_from_db()
    assert not policy.can_add_after_ending(practitioner, episode)


def letter(on=TODAY, **extra):
    return form_data(written_on=on, addressed_to="Dr Patel, Northvale Surgery",
                     text="Amira has reached her goals.\nShe knows how to come back.", **extra)


def test_the_lead_writes_a_closing_letter_shown_on_the_episode(client, episode, practitioner):
    end(episode)
    client.force_login(practitioner)
    page = episode_page(client, episode).content.decode()
    assert "Write a closing letter" in page and "Record a late questionnaire" in page
    response = client.post(reverse("care:closing-letter", args=[episode.public_id]), letter())
    assert response.status_code == 302
    saved = ClosingLetter.objects.get()
    assert saved.written_by == practitioner and saved.episode == episode
    page = episode_page(client, episode).content.decode()
    assert "To Dr Patel, Northvale Surgery" in page and "She knows how to come back." in page


def test_a_closing_letter_dated_before_the_ending_is_refused(client, episode, practitioner):
    end(episode)
    client.force_login(practitioner)
    response = client.post(reverse("care:closing-letter", args=[episode.public_id]),
                           letter(on=TODAY - timedelta(days=1)))
    assert response.status_code == 200
    assert "Date of the letter must be on or after the ending" in response.content.decode()
    assert not ClosingLetter.objects.exists()


@pytest.mark.parametrize("who", ["colleague", "late", "open"])
def test_no_closing_letter_outside_the_window_or_from_others(client, episode, practitioner,
                                                             colleague, who):
    if who != "open":
        end(episode, TODAY - timedelta(days=40 if who == "late" else 1))
    client.force_login(colleague if who == "colleague" else practitioner)
    response = client.post(reverse("care:closing-letter", args=[episode.public_id]), letter())
    if who == "open":  # the open episode's own practitioner: told why
        assert "A closing letter is written after the ending is recorded" in response.content.decode()
    else:
        assert response.status_code == 403
    assert "Write a closing letter" not in episode_page(client, episode).content.decode()
    assert not ClosingLetter.objects.exists()


def phq9(value):
    return {f"item_{n}": str(value) for n in range(1, 10)}


def record_url(episode):
    return reverse("measures:record", args=[episode.public_id]) + "?measure=phq9&rater=self&method=items"


def test_the_lead_records_a_late_questionnaire_and_a_colleague_cannot(
        client, episode, practitioner, colleague):
    end(episode, TODAY - timedelta(days=3))
    client.force_login(colleague)
    assert client.post(record_url(episode), {**phq9(1), **form_data(completed_on=TODAY)}
                       ).status_code == 403
    client.force_login(practitioner)
    response = client.post(record_url(episode), {**phq9(1), **form_data(completed_on=TODAY)})
    assert response.status_code == 302
    assert Completion.objects.get().episode == episode


def test_a_late_questionnaire_after_the_window_is_refused(client, episode, practitioner):
    end(episode, TODAY - timedelta(days=29))
    client.force_login(practitioner)
    assert client.post(record_url(episode), {**phq9(1), **form_data(completed_on=TODAY)}
                       ).status_code == 403
    assert not Completion.objects.exists()


# -- A discharged episode shows the grouping it ended in --------------------------------------


def decide(episode, grouping, on, user):
    return GroupingDecision.objects.create(
        episode=episode, decided_on=on, grouping=grouping, young_person_took_part=True,
        parent_carer_took_part=True, rationale=f"Why {grouping}", made_explicit=True,
        review_on=on + timedelta(days=90), recorded_by=user, is_current=False)


def test_a_discharged_episode_shows_the_grouping_it_ended_in_and_its_history(
        client, episode, practitioner):
    decide(episode, "getting_advice", TODAY - timedelta(days=40), practitioner)
    last = decide(episode, "getting_help", TODAY - timedelta(days=20), practitioner)
    GroupingDecision.objects.filter(pk=last.pk).update(is_current=True)
    client.force_login(practitioner)
    client.post(reverse("care:ending", args=[episode.public_id]), form_data(
        ended_on=TODAY, reason="goals_met", goals_met="met", agreed_with_family=True,
        next_step="none_needed", version=str(episode.version)))
    page = episode_page(client, episode).content.decode()
    assert "No grouping agreed yet" not in page
    assert "Needs-based grouping when the episode ended" in page
    assert "Why getting_help" in page and "Why getting_advice" in page
    assert "At the ending" in page


def test_team_manager_role_reads_ended_episodes_of_the_team(client, person, camhs_team, practitioner):
    other_manager = make_user("mo.manager", camhs_team, Role.TEAM_MANAGER)
    episode = make_episode(person, camhs_team, practitioner)
    end(episode, TODAY - timedelta(days=100))
    client.force_login(other_manager)
    assert episode_page(client, episode).status_code == 200


def test_my_caseload_lists_what_i_led_that_ended_within_the_window(
        client, person, camhs_team, practitioner, colleague):
    recent = make_episode(person, camhs_team, practitioner)
    end(recent, TODAY - timedelta(days=3))
    end(make_episode(person, camhs_team, practitioner), TODAY - timedelta(days=60))
    client.force_login(practitioner)
    page = client.get(reverse("care:caseload")).content.decode()
    assert "Recently ended" in page
    assert page.count(reverse("care:episode", args=[recent.public_id])) == 1
    assert page.count("</a>: ended ") == 1
    client.force_login(colleague)
    assert "Recently ended" not in client.get(reverse("care:caseload")).content.decode()
