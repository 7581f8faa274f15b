from datetime import date

from django.urls import reverse

from thrive.accounts.models import Role
from thrive.community import charts, exports, results, stats
from thrive.community.demo import FACILITATOR, PARTICIPANTS, add_community_thrive
from thrive.community.models import (
    Action,
    ActionProgress,
    Assessment,
    Evidence,
    Participant,
    Priority,
    Rating,
)
from thrive.conftest import make_user


def test_demo_has_a_closed_assessment_of_60_and_a_draft_repeat(db, client):
    facilitator = make_user(FACILITATOR, None, role=Role.FACILITATOR)
    add_community_thrive(2026, date(2026, 12, 4))
    counts = add_community_thrive(2026, date(2026, 12, 4))  # loading again replaces it
    assert counts["community thrive participants"] == PARTICIPANTS
    closed = Assessment.objects.get(status=Assessment.Status.CLOSED)
    draft = Assessment.objects.get(status=Assessment.Status.DRAFT)
    assert draft.previous == closed and closed.participants.count() == 60
    assert closed.priorities.count() == 3 and closed.actions.count() == 4
    for model in (Participant, Rating, Evidence, Priority, Action, ActionProgress):
        links = [f.name for f in model._meta.fields if f.is_relation]
        for row in model.objects.all():
            row.full_clean(exclude=links, validate_unique=False)
    assert ActionProgress.objects.exists()
    res = results.results_for(closed)
    assert not res.young_warning
    assert all(not r.low_n for r in res.factors)
    # Young people's view is shown, and somewhere differs from adults by a flagged divergence.
    assert any(r.divergence and r.divergence.flagged for r in res.factors)
    assert len(stats.suggested_order({r.factor.key: r.suggestion for r in res.factors})) == 12
    radar = charts.cluster_radar(res)
    assert {row["series"] for row in radar["layer"][1]["data"]["values"]} == {
        "Everyone", "Young people", "Adults"}
    assert exports.radar_svg(res).count("<polyline") == 5 + 3  # rings and three series
    client.force_login(facilitator)
    assert "Northvale" in client.get(reverse("community:home")).content.decode()
    page = client.get(reverse("community:results", args=[closed.public_id]))
    assert page.status_code == 200
