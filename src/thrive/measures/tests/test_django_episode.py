"""The episode's outcome page: paired change, roll-up per rater, recovery, charts with tables."""

import json
import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from thrive.care.models import Goal, GoalRating
from thrive.core.models import AuditEvent
from thrive.measures import services

pytestmark = pytest.mark.django_db

START = date.today() - timedelta(days=40)


@pytest.fixture
def req(rf, practitioner):
    request = rf.post("/")
    request.user = practitioner
    return request


def phq9(total):
    """Item responses summing to `total` (0-27)."""
    values, left = {}, total
    for n in range(1, 10):
        values[n] = min(3, left)
        left -= values[n]
    values[9] = 0 if total <= 24 else values[9]
    if sum(values.values()) != total:  # keep item 9 (risk) at 0 where possible
        values = {n: min(3, max(0, total - 3 * (n - 1))) for n in range(1, 10)}
    return values


def gad7(total):
    return {n: min(3, max(0, total - 3 * (n - 1))) for n in range(1, 8)}


def record(req, episode, measure, rater, day, responses=None, totals=None):
    return services.record_completion(req, episode, measure_id=measure, rater=rater, completed_on=day,
                                      responses=responses, entered_totals=totals)


def page(client, episode):
    response = client.get(reverse("measures:episode", args=[episode.public_id]))
    assert response.status_code == 200
    return response.content.decode()


def row(html, key):
    match = re.search(rf'<tr class="nhsuk-table__row" data-scale="{re.escape(key)}">(.*?)</tr>', html, re.S)
    assert match, key
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1)))


def rater_row(html, rater):
    match = re.search(rf'data-rater="{rater}">(.*?)</tr>', html, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1)))


def test_recovery_reliable_improvement_and_reliable_recovery(signed_in, episode, req):
    # Spec 11.10(a): PHQ-9 8 -> 5 and GAD-7 12 -> 7.
    record(req, episode, "gad7", "self", START, gad7(12))
    record(req, episode, "gad7", "self", START + timedelta(days=30), gad7(7))
    record(req, episode, "phq9", "self", START, phq9(16))
    record(req, episode, "phq9", "self", START + timedelta(days=30), phq9(11))
    html = page(signed_in, episode)
    gad = row(html, "gad7/total")
    assert "Reliable improvement" in gad and "Reliable recovery" in gad and "-5.00" in gad
    phq = row(html, "phq9/total")  # 16 -> 11: |-5| < 6
    assert "No reliable change" in phq and "Not recovered" in phq
    assert "Reliable improvement" in rater_row(html, "self")


def test_deterioration_wins_the_rater_roll_up(signed_in, episode, req):
    record(req, episode, "gad7", "self", START, gad7(12))
    record(req, episode, "gad7", "self", START + timedelta(days=20), gad7(7))
    # SDQ self emotional 3 -> 7 from paper totals: +4 >= 4 -> deterioration.
    record(req, episode, "sdq_self", "self", START, totals={"emotional": 3})
    record(req, episode, "sdq_self", "self", START + timedelta(days=20), totals={"emotional": 7})
    html = page(signed_in, episode)
    assert "Reliable deterioration" in row(html, "sdq_self/emotional")
    assert "No clinical cut-off" in row(html, "sdq_self/emotional")
    self_row = rater_row(html, "self")
    assert "Reliable deterioration" in self_row and "Yes Yes" in self_row
    assert "– " in rater_row(html, "parent") or "No No" in rater_row(html, "parent")


def test_parent_and_clinician_rows(signed_in, episode, req):
    record(req, episode, "sdq_parent", "parent", START, totals={"prosocial": 5})
    record(req, episode, "sdq_parent", "parent", START + timedelta(days=9), totals={"prosocial": 8})
    record(req, episode, "cgas", "clinician", START, totals={"score": 50})
    html = page(signed_in, episode)
    assert "Reliable improvement" in row(html, "sdq_parent/prosocial")  # higher is better
    assert "Reliable improvement" in rater_row(html, "parent")
    clinician = rater_row(html, "clinician")
    assert "Yes No" in clinician  # assessed, not paired
    assert "Only one score so far" in row(html, "cgas/score")


def test_rcads_change_uses_t_scores(signed_in, camhs_team, practitioner, req):
    from thrive.conftest import make_episode, make_young_person

    born = date.today().replace(year=date.today().year - 12) - timedelta(days=60)
    boy = make_young_person(sex="1", date_of_birth=born)
    episode = make_episode(boy, camhs_team, practitioner)
    items = (2, 6, 11, 15, 19, 21, 25, 29, 40, 47)
    record(req, episode, "rcads47_child", "self", START, {n: 2 for n in items})  # raw 20
    later = {n: (2 if i < 2 else 1) for i, n in enumerate(items)}  # raw 12
    record(req, episode, "rcads47_child", "self", START + timedelta(days=30), later)
    html = page(signed_in, episode)
    depression = row(html, "rcads47_child/depression")
    assert "T 86.51" in depression and "T 64.53" in depression and "-21.98" in depression
    assert "Reliable improvement" in depression and "(T)" in depression


def test_every_chart_has_its_data_table_and_a_valid_spec(signed_in, episode, req, practitioner):
    record(req, episode, "phq9", "self", START, phq9(16))
    record(req, episode, "phq9", "self", START + timedelta(days=14), phq9(9))
    goal = Goal.objects.create(episode=episode, number=1, description="Go to school",
                               agreed_on=START, expected_by=START + timedelta(days=90),
                               plan_if_not_met="Review", recorded_by=practitioner)
    for i, rating in enumerate([2, 6]):
        GoalRating.objects.create(goal=goal, rated_on=START + timedelta(days=7 * i), rating=rating,
                                  rated_by="young_person", recorded_by=practitioner)
    html = page(signed_in, episode)
    specs = re.findall(r'<script type="application/json" data-vega-target="([^"]+)">(.*?)</script>',
                       html, re.S)
    targets = {t for t, _ in specs}
    assert targets == {"chart-phq9-self", "chart-goals"}
    for target, body in specs:
        spec = json.loads(body)
        assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
        assert f'data-chart-table="{target}"' in html  # the accessible fallback is always there
    phq_spec = json.loads(dict(specs)["chart-phq9-self"])
    text = json.dumps(phq_spec)
    assert '"cut": 10.0' in text  # clinical threshold
    assert '"low": 10.0' in text and '"high": 22.0' in text  # RC band: first (16) +/- 6
    assert "Goal 1" in html and "static/vega-embed/vega-embed.min.js" in html
    assert "static/core/charts.js" in html


def test_record_charts_page(signed_in, episode, person, req):
    record(req, episode, "phq9", "self", START, phq9(12))
    response = signed_in.get(reverse("measures:record-charts", args=[person.public_id]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-chart-table="chart-phq9-self"' in html
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, young_person_id=person.pk,
                                     detail="outcome measure charts").count() == 1


def test_one_audit_entry_per_page_view(signed_in, episode, req):
    record(req, episode, "phq9", "self", START, phq9(12))
    before = AuditEvent.objects.count()
    page(signed_in, episode)
    assert AuditEvent.objects.count() == before + 1
    completion = episode.completions.get()
    signed_in.get(reverse("measures:completion", args=[completion.public_id]))
    assert AuditEvent.objects.count() == before + 2


def _queries_for(client, episode):
    with CaptureQueriesContext(connection) as ctx:
        page(client, episode)
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_completions(signed_in, camhs_team, practitioner, req, person):
    from thrive.conftest import make_episode

    few = make_episode(person, camhs_team, practitioner)
    many = make_episode(person, camhs_team, practitioner)
    for i in range(2):
        record(req, few, "phq9", "self", START + timedelta(days=i), phq9(10 + i))
    measures = [("phq9", phq9), ("gad7", gad7)]
    for i in range(30):
        name, make = measures[i % 2]
        record(req, many, name, "self", START + timedelta(days=i), make(5 + i % 10))
    page(signed_in, few)  # warm caches (catalogue, templates)
    assert _queries_for(signed_in, many) == _queries_for(signed_in, few)
