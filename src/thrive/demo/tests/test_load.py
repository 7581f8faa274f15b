"""Loading the demo into the database, and the commands around it."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Q

from thrive.accounts.models import User
from thrive.care.models import (
    Contact,
    Ending,
    Episode,
    Goal,
    GoalRating,
    GroupingDecision,
    open_episodes_q,
)
from thrive.conftest import make_young_person
from thrive.demo import locality, writer
from thrive.demo.generator import DEMO_PASSWORD, generate
from thrive.measures.models import Completion, ScaleScore
from thrive.people.models import ParentCarer, YoungPerson

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    demo = generate(2026, 200, today=date.today())
    counts = writer.write(demo)
    return demo, counts


def test_load_passes_model_validation_and_constraints(loaded):
    _, counts = loaded
    assert YoungPerson.objects.count() == counts["people_youngperson"] == 200
    # Every row passes the model's own validation too (choices, lengths, NHS number check);
    # foreign keys are left to the database, which checked them at commit.
    assert Completion.objects.filter(measure_id="collaborate").exists()
    assert Completion.objects.filter(measure_id="current_view").exists()
    assert ScaleScore.objects.filter(completion__measure_id="collaborate").exists()
    for model in (YoungPerson, ParentCarer, Episode, GroupingDecision, Goal, GoalRating,
                  Contact, Ending, Completion):
        links = [f.name for f in model._meta.fields if f.is_relation]
        for row in model.objects.all():
            row.full_clean(exclude=links, validate_unique=False)


def test_one_current_grouping_per_open_episode(loaded):
    open_episodes = Episode.objects.filter(open_episodes_q())
    assert open_episodes.exists()
    counted = open_episodes.annotate(
        current=Count("grouping_decisions", filter=Q(grouping_decisions__is_current=True)))
    assert set(counted.values_list("current", flat=True)) == {1}
    assert not GroupingDecision.objects.filter(is_current=True).exclude(
        episode__in=open_episodes).exists()


def test_each_demo_practitioner_leads_open_episodes_in_their_team(loaded):
    for username, *_ in locality.DEMO_PRACTITIONERS:
        user = User.objects.get(username=username)
        leads = Episode.objects.filter(open_episodes_q(), lead_practitioner=user)
        assert leads.exists(), username
        assert not leads.exclude(team=user.team).exists()


def test_every_demo_user_has_the_demo_password(loaded):
    assert User.objects.get(username="camhs.practitioner").check_password(DEMO_PASSWORD)
    passwords = set(User.objects.values_list("password", flat=True))
    assert len(passwords) == 1  # hashed once, shared


def test_load_demo_refuses_when_young_people_exist_unless_asked(capsys):
    make_young_person()
    with pytest.raises(CommandError, match="already"):
        call_command("load_demo", "--young-people", "20")
    call_command("load_demo", "--young-people", "20", "--if-empty")
    assert "skipping" in capsys.readouterr().out
    assert YoungPerson.objects.count() == 1

    call_command("load_demo", "--young-people", "20", "--flush-first", "--seed", "3")
    out = capsys.readouterr().out
    # 20 generated, plus one possible duplicate for the merge page (demo/duplicates.py)
    assert YoungPerson.objects.count() == 21 and "possible duplicate pairs" in out
    assert "camhs.practitioner" in out and DEMO_PASSWORD in out

    call_command("demo_signins")
    table = capsys.readouterr().out
    assert all(name in table for name in locality.SIGNIN_USERNAMES)


def test_flush_refuses_real_looking_nhs_numbers():
    make_young_person(nhs_number="9434765919")  # valid, but not from the 999 test range
    with pytest.raises(writer.NotDemoData):
        writer.flush()
    assert YoungPerson.objects.count() == 1


def test_reload_after_flush_reuses_staff(loaded):
    writer.flush()
    assert not YoungPerson.objects.exists() and not Episode.objects.exists()
    writer.write(generate(2026, 30, today=date.today()))
    assert User.objects.filter(username="camhs.practitioner", is_active=True).count() == 1


def test_shared_work_gives_most_risk_support_a_two_agency_plan_and_leaves_a_gap(loaded):
    from thrive.demo.shared_work import add_shared_work
    from thrive.risk import rules
    from thrive.risk.services import current_plans_for
    from thrive.sharing.models import AgencyReferral

    counts = add_shared_work(2026, date.today())
    risk = list(GroupingDecision.objects.filter(open_episodes_q("episode__"), is_current=True,
                                                grouping="getting_risk_support"))
    plans = current_plans_for({d.episode.young_person_id for d in risk})
    gaps = [d for d in risk if rules.plan_gap(d.grouping, plans[d.episode.young_person_id]
                                              .agency_count if d.episode.young_person_id in plans
                                              else None)]
    assert counts["risk plans"] == len(plans) > 0
    assert all(p.agency_count == 2 for p in plans.values())
    assert len(gaps) == len(risk) - len(plans)
    assert AgencyReferral.objects.filter(status="sent").count() == counts["referrals waiting"]


def test_shared_work_names_an_agency_once_and_gives_a_young_person_one_plan(camhs_team):
    # A council episode in Getting Risk Support (the council is the usual partner) and a young
    # person in Getting Risk Support with two agencies at once: both happen in a large demo.
    from datetime import timedelta

    from thrive.accounts.models import Agency, Team
    from thrive.conftest import make_episode, make_user
    from thrive.demo.shared_work import add_shared_work
    from thrive.risk.models import RiskSupportPlan

    council = Team.objects.create(agency=Agency.objects.create(name="Council", kind=Agency.Kind.COUNCIL),
                                  name="Early help")
    charity = Team.objects.create(agency=Agency.objects.create(name="Youth charity",
                                                               kind=Agency.Kind.CHARITY), name="Drop-in")
    leads = {team.pk: make_user(f"{team.name.split()[0].lower()}.worker", team)
             for team in (camhs_team, council, charity)}
    alone, both = make_young_person(), make_young_person(given_name="Sam")
    for person, team in ((alone, council), (both, camhs_team), (both, council)):
        episode = make_episode(person, team, leads[team.pk])
        GroupingDecision.objects.create(
            episode=episode, decided_on=date.today(), grouping="getting_risk_support",
            young_person_took_part=True, parent_carer_took_part=True, rationale="Agreed together",
            made_explicit=True, review_on=date.today() + timedelta(weeks=8), recorded_by=leads[team.pk])

    counts = add_shared_work(2026, date.today())

    plans = RiskSupportPlan.objects.filter(status="current")
    assert counts["risk plans"] == plans.count() == 2
    assert sorted(p.young_person.given_name for p in plans) == ["Amira", "Sam"]
    for plan in plans:
        named = [a.agency for a in plan.agencies.all()]
        assert len(named) == len(set(named)) == 2
    council_plan = plans.get(young_person=alone)
    assert [a.agency.name for a in council_plan.agencies.all()] == ["Council", "Youth charity"]


def test_each_team_has_a_waiting_list_and_a_few_reallocations(loaded):
    from thrive.accounts.models import Role
    from thrive.care.models import Allocation
    from thrive.demo.waiting_list import add_waiting_lists

    counts = add_waiting_lists(2026, date.today())
    waiting = Episode.objects.filter(open_episodes_q(), lead_practitioner__isnull=True)
    assert waiting.count() == counts["referrals on waiting lists"] > 0
    # Teams with referrals not yet helped have a waiting list (at 200 young people, a few).
    managed = User.objects.filter(role=Role.TEAM_MANAGER).values_list("team", flat=True)
    assert set(waiting.values_list("team", flat=True)) <= set(managed)
    assert len(set(waiting.values_list("team", flat=True))) >= 2
    assert not waiting.filter(first_help_on__isnull=False).exists()
    assert waiting.exclude(urgency="routine").exists()
    moves = Allocation.objects.select_related("episode")
    assert moves.count() == counts["reallocations"] > 0
    assert all(m.episode.lead_practitioner_id == m.to_user_id != m.from_user_id for m in moves)
    test_each_demo_practitioner_leads_open_episodes_in_their_team(loaded)


def test_the_demo_has_closing_letters_on_recently_ended_episodes(loaded):
    from datetime import timedelta

    from thrive.care.models import ClosingLetter, Episode
    from thrive.demo.closing_letters import add_closing_letters

    today = date.today()
    recent = Episode.objects.filter(ending__ended_on__gte=today - timedelta(days=28),
                                    ending__ended_on__lte=today, lead_practitioner__isnull=False,
                                    declined_on__isnull=True)
    assert recent.exists()
    counts = add_closing_letters(today)
    assert counts["care_closingletter"] == ClosingLetter.objects.count() == (recent.count() + 1) // 2
    for letter in ClosingLetter.objects.select_related("episode__ending"):
        assert letter.written_by_id == letter.episode.lead_practitioner_id
        assert letter.written_on == letter.episode.ending.ended_on


def test_consented_sharing_gives_partners_consent_external_participants_and_an_override(loaded):
    from thrive.demo.consented_sharing import add_consented_sharing
    from thrive.demo.shared_work import add_shared_work
    from thrive.risk.models import ExternalParticipant, RiskSupportPlan
    from thrive.sharing import policy
    from thrive.sharing.models import AccessAlert, CareTeamMember

    add_shared_work(2026, date.today())
    counts = add_consented_sharing(2026, date.today())
    plans = RiskSupportPlan.objects.filter(status="current")
    assert counts["external participants"] == ExternalParticipant.objects.count() == plans.count()
    assert plans.exclude(safeguarding_basis="").count() == 1
    assert counts["override members"] == 1
    override = CareTeamMember.objects.exclude(override_reason="").get()
    assert AccessAlert.objects.filter(kind="care_team_override", young_person=override.young_person
                                      ).exists()
    # Every partner agency named on a plan can see it; every care-team member has a basis.
    for plan in plans.prefetch_related("agencies__agency__staff"):
        for named in plan.agencies.all():
            worker = named.agency.staff.filter(role="practitioner").first()
            if worker is not None:
                assert policy.plan_readable_young_people(worker).filter(
                    pk=plan.young_person_id).exists()
    for member in CareTeamMember.objects.filter(removed_at__isnull=True).select_related("user"):
        assert policy.has_relationship(member.user, member.young_person)
