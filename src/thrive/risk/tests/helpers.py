"""Posting the Risk Support plan form as a browser would."""

from datetime import date, timedelta

from thrive.core.testing import form_data

TODAY = date.today()


def rows(prefix: str, items: list[dict], initial: int = 0, total: int | None = None) -> dict:
    data = {f"{prefix}-TOTAL_FORMS": str(total if total is not None else max(len(items), 1)),
            f"{prefix}-INITIAL_FORMS": str(initial), f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "30"}
    for i, item in enumerate(items):
        for name, value in item.items():
            data[f"{prefix}-{i}-{name}"] = value
    return data


def plan_data(keyworker, agencies, *, version=None, risks=None, crisis=None, distribution=None,
              external=(), **overrides) -> dict:
    fields = dict(
        keyworker=str(keyworker.pk),
        what_helps="Time with her dog\nTalking to her nan",
        preventive_actions="School check-in every morning with Ms Patel",
        informal_network="Nan (Mrs Khan), lives two streets away",
        agreed_with_young_person=True, agreed_with_family="Mum (Sarah Khan)",
        agreed_on=TODAY - timedelta(days=1), review_on=TODAY + timedelta(weeks=6),
    )
    fields.update(overrides)
    data = form_data(**fields)
    if version is not None:
        data["version"] = str(version)
    data.update(rows("agencies", [{"agency": str(a.pk), "role": f"Role of {a.name}"}
                                  for a in agencies]))
    data.update(rows("risks", risks if risks is not None else [
        {"kind": "to_self", "description": "Cuts her arms when overwhelmed"},
        {"kind": "from_others", "description": "Older boyfriend pressuring her"},
    ]))
    data.update(rows("crisis", crisis if crisis is not None else [
        {"trigger": "she says she feels unsafe at home",
         "responses": "1. Stay with her\n2. Remove anything sharp\n3. Call the crisis line",
         "contact_who": "CAMHS crisis team", "contact_how": "0300 123 4567, any time"},
    ]))
    data.update(rows("distribution", distribution if distribution is not None else [
        {"recipient": "Jo Patel, Northvale Academy", "how_sent": "secure_email"},
    ]))
    data.update(rows("external", list(external)))
    return data
