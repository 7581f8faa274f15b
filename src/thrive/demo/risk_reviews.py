"""Risk alerts the demo's questionnaires raised (PHQ-9 item 9, YP-CORE item 4, CORE-10 item 6),
acknowledged as a clinician would have done at the time, except the last fortnight's on open
episodes: those stay on the caseload for a demo user to review."""

from datetime import date, timedelta

from django.db import transaction

from thrive.care.models import open_episodes_q
from thrive.measures.models import Completion, RiskReview

STILL_TO_REVIEW_DAYS = 14
ACTIONS = (
    "Asked about it at the appointment; no current plans or intent. Safety plan reviewed with "
    "the young person and shared with their parent.",
    "Discussed with the young person and their parent the same day; risk assessment updated, "
    "crisis line numbers given.",
    "Talked through at the session; thoughts are fleeting and they know who to tell. Discussed in "
    "supervision.",
)


@transaction.atomic
def add_risk_reviews(today: date) -> dict[str, int]:
    recent = today - timedelta(days=STILL_TO_REVIEW_DAYS)
    alerted = Completion.objects.exclude(risk_alerts=[]).filter(risk_review__isnull=True)
    waiting = set(alerted.filter(open_episodes_q("episode__"), completed_on__gte=recent)
                  .values_list("pk", flat=True))
    reviews = [RiskReview(completion_id=pk, action_taken=ACTIONS[pk % len(ACTIONS)],
                          reviewed_by_id=recorder)
               for pk, recorder in alerted.order_by("pk").values_list("pk", "recorded_by_id")
               if pk not in waiting]
    RiskReview.objects.bulk_create(reviews, batch_size=2000)
    return {"risk alerts reviewed": len(reviews), "risk alerts to review": len(waiting)}
