"""Corrections in the demo: a handful of entries marked entered in error and a few changes with a
version history, made through the same services the pages use (so they are audited as the lead
practitioner). Deterministic: the first open episodes by id that have the entries needed."""

from datetime import date

from django.test import RequestFactory

from thrive.care.models import Contact, Episode, GoalRating, GroupingDecision, open_episodes_q
from thrive.history import services as history
from thrive.history.models import FieldChange
from thrive.people import services as people

DETAILS = ("nhs_number", "given_name", "family_name", "preferred_name", "date_of_birth", "sex",
           "gender_identity", "ethnic_category", "school", "local_authority", "postcode")


def _request(user):
    request = RequestFactory().post("/")
    request.user = user
    request.META["REMOTE_ADDR"] = "127.0.0.1"
    return request


def _open_led():
    return (Episode.objects.filter(open_episodes_q(), accepted_on__isnull=False,
                                   lead_practitioner__isnull=False, lead_practitioner__is_active=True)
            .select_related("young_person", "lead_practitioner", "team", "agency").order_by("pk"))


def add_corrections(today: date) -> dict[str, int]:
    marked = 0
    episodes = list(_open_led()[:40])
    with_contacts = [e for e in episodes if Contact.objects.filter(episode=e).exists()][:3]
    for episode, reason in zip(with_contacts, (
            "Recorded in the wrong young person's record", "Wrong date: the session was moved",
            "Recorded twice"), strict=False):
        contact = Contact.objects.filter(episode=episode).order_by("-date", "-pk").first()
        history.mark_entered_in_error(_request(episode.lead_practitioner), contact, reason)
        marked += 1
    rating = (GoalRating.objects.filter(goal__episode__in=episodes).select_related("goal__episode")
              .order_by("pk").first())
    if rating is not None:
        episode = next(e for e in episodes if e.pk == rating.goal.episode_id)
        history.mark_entered_in_error(_request(episode.lead_practitioner), rating,
                                      "Rating typed as 2, the young person said 7")
        marked += 1
    decisions = (GroupingDecision.objects.filter(episode__in=episodes, is_current=True)
                 .order_by("pk"))
    for decision in decisions:
        if GroupingDecision.objects.filter(episode_id=decision.episode_id).count() > 1:
            episode = next(e for e in episodes if e.pk == decision.episode_id)
            history.mark_entered_in_error(_request(episode.lead_practitioner), decision,
                                          "Agreed for another young person in the same session")
            marked += 1
            break
    for n, episode in enumerate(episodes[:3]):
        person = episode.young_person
        person.refresh_from_db()
        values = {name: getattr(person, name) for name in DETAILS}
        values["postcode"] = f"NV{n + 1} {n + 4}QT"
        if n == 0:
            values["preferred_name"] = person.given_name[:3]
        people.update_demographics(_request(episode.lead_practitioner), person,
                                   version=person.version, **values)
    return {"entered in error": marked, FieldChange._meta.db_table: FieldChange.objects.count()}
