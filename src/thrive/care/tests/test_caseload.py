from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from thrive.care.models import Contact, GroupingDecision
from thrive.conftest import make_episode, make_young_person
from thrive.core.models import AuditEvent

TODAY = date.today()


def decide(episode, grouping, review_on, current=True):
    return GroupingDecision.objects.create(
        episode=episode, decided_on=TODAY - timedelta(days=20), grouping=grouping,
        young_person_took_part=True, parent_carer_took_part=False, rationale="Agreed together",
        made_explicit=True, review_on=review_on, is_current=current,
        recorded_by=episode.lead_practitioner)


def test_caseload_groups_by_current_grouping_with_reviews_due_and_overdue(
        signed_in, practitioner, camhs_team):
    a = make_episode(make_young_person(given_name="Ada"), camhs_team, practitioner)
    b = make_episode(make_young_person(given_name="Ben"), camhs_team, practitioner)
    c = make_episode(make_young_person(given_name="Cai"), camhs_team, practitioner,
                     first_help_on=None, accepted_on=None)
    decide(a, "getting_advice", TODAY + timedelta(days=60), current=False)
    decide(a, "getting_help", TODAY - timedelta(days=2))       # overdue
    decide(b, "getting_help", TODAY + timedelta(days=5))       # due soon
    page = signed_in.get(reverse("care:caseload")).content.decode()
    assert "3 open episodes" in page
    assert "Getting Help</a>: 2, <strong>1 review overdue</strong>, 1 review due soon" in page
    assert "No grouping agreed yet</a>: 1" in page
    assert "Getting Advice and Signposting</a>: 0" in page
    # Cai is still waiting: the caseload shows since when.
    assert c.referral_received_on.strftime("%B %Y") in page


def test_caseload_filters_by_grouping_and_review_state(signed_in, practitioner, camhs_team):
    a = make_episode(make_young_person(given_name="Ada"), camhs_team, practitioner)
    b = make_episode(make_young_person(given_name="Ben"), camhs_team, practitioner)
    decide(a, "getting_help", TODAY - timedelta(days=2))
    decide(b, "getting_risk_support", TODAY + timedelta(days=30))
    page = signed_in.get(reverse("care:caseload"), {"review": "overdue"}).content.decode()
    assert "Ada Khan" in page and "Ben Khan" not in page
    page = signed_in.get(reverse("care:caseload"), {"grouping": "getting_risk_support"}).content
    assert b"Ben Khan" in page and b"Ada Khan" not in page


def test_caseload_shows_only_my_open_episodes_and_a_managers_shows_the_team(
        client, practitioner, colleague, manager, camhs_team):
    mine = make_episode(make_young_person(given_name="Mine"), camhs_team, practitioner)
    make_episode(make_young_person(given_name="Theirs"), camhs_team, colleague)
    closed = make_episode(make_young_person(given_name="Closed"), camhs_team, practitioner,
                          declined_on=TODAY, accepted_on=None)
    client.force_login(practitioner)
    page = client.get(reverse("care:caseload")).content.decode()
    assert "Mine Khan" in page and "Theirs Khan" not in page and "Closed Khan" not in page
    client.force_login(manager)
    page = client.get(reverse("care:caseload")).content.decode()
    assert "Mine Khan" in page and "Theirs Khan" in page and "Closed Khan" not in page
    assert mine.public_id and closed.declined_on


def _queries_for(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_caseload_queries_do_not_grow_with_the_caseload(signed_in, practitioner, camhs_team):
    def add(n):
        for i in range(n):
            e = make_episode(make_young_person(given_name=f"P{i}"), camhs_team, practitioner)
            decide(e, "getting_help", TODAY + timedelta(days=i))
    add(2)
    small = _queries_for(signed_in, reverse("care:caseload"))
    add(40)
    assert _queries_for(signed_in, reverse("care:caseload")) == small


def test_record_and_episode_queries_do_not_grow_with_history(signed_in, practitioner, episode):
    record_url = reverse("people:record", args=[episode.young_person.public_id])
    episode_url = reverse("care:episode", args=[episode.public_id])

    def add_history(n):
        for i in range(n):
            Contact.objects.create(episode=episode, date=TODAY - timedelta(days=i),
                                   time="10:00", mode="telephone", attendance="attended",
                                   practitioner=practitioner)
            GroupingDecision.objects.filter(episode=episode).update(is_current=False)
            decide(episode, "getting_help", TODAY + timedelta(days=10))
    add_history(1)
    record_small, episode_small = _queries_for(signed_in, record_url), _queries_for(
        signed_in, episode_url)
    add_history(30)
    assert _queries_for(signed_in, record_url) == record_small
    assert _queries_for(signed_in, episode_url) == episode_small


def test_viewing_the_caseload_is_audited(signed_in, practitioner):
    signed_in.get(reverse("care:caseload"))
    assert AuditEvent.objects.filter(user=practitioner, action="view",
                                     detail__startswith="caseload").count() == 1


def test_roles_that_do_not_work_with_records_get_no_caseload(client, camhs_team):
    from thrive.accounts.models import Role
    from thrive.conftest import make_user

    client.force_login(make_user("ana.analyst", camhs_team, Role.ANALYST))
    assert client.get(reverse("care:caseload")).status_code == 403
