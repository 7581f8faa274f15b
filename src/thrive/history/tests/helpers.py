from datetime import date, time, timedelta

from django.test import RequestFactory

from thrive.care.models import Contact, Goal, GoalRating, GroupingDecision

TODAY = date.today()


def request_for(user):
    request = RequestFactory().post("/")
    request.user = user
    return request


def contact(episode, user, days_ago=10, attendance="attended"):
    return Contact.objects.create(episode=episode, date=TODAY - timedelta(days=days_ago),
                                  time=time(10, 0), mode="face_to_face", attendance=attendance,
                                  practitioner=user)


def decision(episode, user, grouping, days_ago, current):
    return GroupingDecision.objects.create(
        episode=episode, decided_on=TODAY - timedelta(days=days_ago), grouping=grouping,
        young_person_took_part=True, parent_carer_took_part=True, rationale="Agreed together.",
        made_explicit=True, review_on=TODAY + timedelta(days=60), is_current=current,
        recorded_by=user, options_discussed=["one_to_one"], options_preferred=["one_to_one"])


def goal(episode, user, number=1, *ratings):
    g = Goal.objects.create(episode=episode, number=number, description=f"Goal {number} words",
                            agreed_on=TODAY - timedelta(days=40), expected_by=TODAY + timedelta(30),
                            plan_if_not_met="Review", recorded_by=user)
    for i, value in enumerate(ratings):
        GoalRating.objects.create(goal=g, rated_on=TODAY - timedelta(days=40 - 10 * i),
                                  rating=value, rated_by="young_person", recorded_by=user)
    return g
