"""The synthetic Northvale directory and postcode table (invented names, invented places).

`build()` is deterministic; its output is saved as `data/demo_directory.json` and
`data/demo_postcodes.csv` (run `python -m thrive.directory.demo_data` to regenerate them).
Postcode area "NV" does not exist in the UK, so nothing here can be mistaken for a real place.
"""

from __future__ import annotations

import csv
import json
import random
import uuid
from pathlib import Path

from . import taxonomy

DATA = Path(__file__).resolve().parent / "data"
NS = uuid.UUID("3e1b7c0a-4d59-4f0e-a7a4-9b1f2f6c5d21")

# Town, postcode district, centroid (latitude, longitude) — an invented locality in the north.
TOWNS = [
    ("Northvale", "NV1", 54.0120, -1.5480),
    ("Eastbrook", "NV2", 54.0210, -1.4620),
    ("Westmere", "NV3", 54.0050, -1.6420),
    ("Kirkby Fold", "NV4", 54.0810, -1.5600),
    ("Ashby Lea", "NV5", 53.9460, -1.5150),
    ("Harrow Bridge", "NV6", 53.9700, -1.6900),
]
STREETS = ["High Street", "Mill Lane", "Church Road", "Station Road", "Park Avenue",
           "Victoria Street", "Market Place", "Brook Lane", "Chapel Street", "Orchard Way"]

ORGS = [
    ("Northvale Council", "The local authority for Northvale: early help, family hubs, youth "
     "services and libraries."),
    ("Northvale Mind", "Local mental health charity offering counselling, peer support and "
     "wellbeing groups."),
    ("Open Door Youth Counselling", "Free, confidential counselling for young people aged 11 to "
     "25."),
    ("Northvale Online Youth Support", "Online chat, forums and self-help for young "
     "people."),
    ("Northvale Young Carers", "Support, breaks and groups for children who look after someone "
     "at home."),
    ("Rainbow Northvale", "LGBTQ+ youth groups and one-to-one support."),
    ("Northvale Sport and Leisure Trust", "Leisure centres and activity programmes."),
    ("Little Steps Family Centre", "Parenting courses and family support for families with "
     "young children."),
    ("Northvale Bereavement Service", "Support for children and families after someone dies."),
    ("Safe Haven Northvale", "Support and safe accommodation for families escaping domestic "
     "abuse."),
    ("Northvale Neurodiversity Network", "Peer support for autistic young people, young people "
     "with ADHD, and their families."),
    ("Eastbrook Community Trust", "A community centre running youth clubs and holiday "
     "activities."),
    ("Northvale Crisis Line", "A 24-hour phone and text line for people in crisis."),
    ("Westmere Food and Mood", "Cooking, growing and eating-well groups for families."),
    ("Northvale Libraries", "Libraries with reading-well collections and quiet study."),
]

# name, org index, description, needs, kinds, (min age, max age), days, (opens, closes),
# town index (None: online or phone only), cost (None: free)
S = [
    ("Youth counselling drop-in", 2, "Drop-in counselling for worries, low mood, anxiety and "
     "stress. No referral needed.", ["getting-help"], ["one-to-one"], (11, 25), "MO,WE,FR",
     ("15:00", "19:00"), 0, None),
    ("Counselling for young people", 2, "Six to twelve weekly sessions with a trained "
     "counsellor, in person or by video.", ["getting-help"], ["one-to-one"], (11, 25),
     "TU,TH", ("10:00", "18:00"), 1, None),
    ("Talking therapy for parents", 1, "Short-term counselling for parents and carers under "
     "strain.", ["getting-help"], ["one-to-one", "family-support"], (18, None), "WE",
     ("09:00", "17:00"), 0, "£5 a session, free on low income"),
    ("Anxiety and worry group for teenagers", 1, "A six-week group to understand anxiety and "
     "try ways to manage worry.", ["getting-help", "getting-advice"], ["group"], (13, 17),
     "TH", ("16:30", "18:00"), 0, None),
    ("Worry busters group (ages 8 to 11)", 1, "A fun, small group for children who worry a "
     "lot, with a session for parents.", ["getting-advice"], ["group", "family-support"],
     (8, 11), "TU", ("16:00", "17:00"), 2, None),
    ("Peer support circle", 1, "Meet other young people who have been through tough times; "
     "led by trained peer supporters.", ["getting-advice", "thriving"], ["peer-support", "group"],
     (14, 25), "SA", ("11:00", "13:00"), 0, None),
    ("Online chat with a counsellor", 3, "Text chat with a qualified counsellor, evenings and "
     "weekends.", ["getting-advice", "getting-help"], ["digital", "one-to-one"], (11, 25),
     "MO,TU,WE,TH,FR,SA,SU", ("12:00", "22:00"), None, None),
    ("Wellbeing self-help library online", 3, "Articles, journals and guided exercises for "
     "sleep, stress and mood.", ["getting-advice", "thriving"], ["self-help", "digital"],
     (10, 25), "MO,TU,WE,TH,FR,SA,SU", ("00:00", "24:00"), None, None),
    ("Young carers club", 4, "Fortnightly club with activities and a break for young carers.",
     ["thriving", "getting-advice"], ["group", "peer-support"], (8, 18), "WE",
     ("17:00", "19:00"), 0, None),
    ("Young carers one-to-one support", 4, "A worker to help young carers with school, "
     "worries and time for themselves.", ["getting-help"], ["one-to-one"], (8, 18), "MO,TU,TH",
     ("09:00", "17:00"), 3, None),
    ("LGBTQ+ youth group", 5, "A safe, friendly weekly group for LGBTQ+ young people.",
     ["thriving", "getting-advice"], ["group", "peer-support"], (13, 19), "TH",
     ("18:00", "20:00"), 0, None),
    ("Rainbow one-to-one mentoring", 5, "Mentoring for LGBTQ+ young people who feel isolated "
     "or are coming out.", ["getting-advice", "getting-help"], ["one-to-one"], (13, 25), "SA",
     ("10:00", "14:00"), 1, None),
    ("Active lives for teens", 6, "Free gym, swimming and climbing sessions for teenagers "
     "referred for low mood.", ["thriving"], ["group"], (13, 18), "MO,WE,SA", ("15:00", "20:00"),
     4, "Free with a referral"),
    ("Family swim", 6, "Relaxed family swimming sessions.", ["thriving"], ["family-support"],
     (0, None), "SA,SU", ("09:00", "12:00"), 2, "£2 per person"),
    ("Parenting teenagers course", 7, "A ten-week course for parents of teenagers on "
     "communication, boundaries and wellbeing.", ["getting-advice"], ["group", "family-support"],
     (18, None), "TU", ("18:30", "20:30"), 0, None),
    ("Playful families programme", 7, "Play-based parenting programme for families with "
     "children aged 3 to 8.", ["getting-advice", "getting-help"], ["group", "family-support"],
     (3, 8), "WE", ("09:30", "11:30"), 4, None),
    ("Family support worker", 0, "Early help family support at home: routines, school "
     "attendance, money worries.", ["getting-advice", "getting-help"],
     ["family-support", "one-to-one"], (0, 18), "MO,TU,WE,TH,FR", ("09:00", "17:00"), 0, None),
    ("Children's bereavement support", 8, "One-to-one support for children and young people "
     "after the death of someone close.", ["getting-help"], ["one-to-one"], (5, 18), "MO,WE",
     ("10:00", "18:00"), 0, None),
    ("Grief group for teenagers", 8, "A monthly group for bereaved teenagers to meet others "
     "who understand.", ["getting-advice"], ["group", "peer-support"], (13, 18), "SA",
     ("10:00", "12:00"), 1, None),
    ("Domestic abuse family support", 9, "Support for children and parents affected by "
     "domestic abuse, including safe accommodation.", ["getting-help", "getting-risk-support"],
     ["family-support", "one-to-one"], (0, None), "MO,TU,WE,TH,FR", ("09:00", "17:00"),
     "sensitive", None),
    ("Children's refuge outreach", 9, "Play and emotional support for children living in "
     "refuge.", ["getting-help"], ["one-to-one", "group"], (3, 16), "TU,TH", ("10:00", "15:00"),
     "sensitive", None),
    ("Autism and ADHD parent peer group", 10, "Parents of neurodivergent children supporting "
     "each other, with guest speakers.", ["getting-advice"], ["peer-support", "family-support"],
     (18, None), "MO", ("19:00", "21:00"), 0, None),
    ("Neurodiverse teens social", 10, "A relaxed social group for autistic teens and teens "
     "with ADHD.", ["thriving", "getting-advice"], ["group", "peer-support"], (12, 18), "FR",
     ("17:00", "19:00"), 2, None),
    ("Eastbrook youth club", 11, "Open-access youth club with games, music and a youth worker "
     "to talk to.", ["thriving"], ["group"], (11, 18), "TU,TH", ("18:00", "21:00"), 1, None),
    ("Holiday activities and food", 11, "Free holiday activities with a healthy meal for "
     "children on free school meals.", ["thriving"], ["group", "family-support"], (5, 16),
     "MO,TU,WE,TH,FR", ("10:00", "14:00"), 1, None),
    ("24-hour crisis line", 12, "Call or text any time if you feel unsafe or cannot cope. "
     "Urgent support straight away.", ["getting-risk-support"], ["crisis", "digital"], (0, None),
     "MO,TU,WE,TH,FR,SA,SU", ("00:00", "24:00"), None, None),
    ("Crisis text service for young people", 12, "Text a trained volunteer when you are "
     "struggling to cope, day or night.", ["getting-risk-support"], ["crisis", "digital"],
     (11, 25), "MO,TU,WE,TH,FR,SA,SU", ("00:00", "24:00"), None, None),
    ("Crisis café", 1, "An evening safe space for people in crisis, with mental health workers "
     "on hand.", ["getting-risk-support"], ["crisis", "one-to-one"], (16, None), "FR,SA,SU",
     ("18:00", "23:00"), 0, None),
    ("Food and mood family cooking", 13, "Cook and eat together; learn how food affects mood "
     "and sleep.", ["thriving"], ["group", "family-support"], (5, None), "SA", ("10:00", "13:00"),
     2, "Free; donations welcome"),
    ("Eating well for teens", 13, "A group on eating well and feeling better about food.",
     ["thriving", "getting-advice"], ["group"], (12, 17), "WE", ("16:00", "17:30"), 2, None),
    ("Reading well for young people", 14, "Books on feelings, worries and wellbeing, "
     "recommended by health professionals.", ["thriving", "getting-advice"], ["self-help"],
     (8, 18), "MO,TU,WE,TH,FR,SA", ("09:00", "18:00"), 0, None),
    ("Exam stress study space", 14, "Quiet study space with tips for managing exam stress.",
     ["thriving"], ["self-help"], (14, 19), "MO,TU,WE,TH,FR", ("15:00", "19:00"), 3, None),
    ("Sleep well online course", 3, "A four-week online course on better sleep.",
     ["getting-advice"], ["self-help", "digital"], (12, 25), "MO,TU,WE,TH,FR,SA,SU",
     ("00:00", "24:00"), None, None),
    ("Bullying support service", 0, "Advice and one-to-one support for children being "
     "bullied, and their parents.", ["getting-advice", "getting-help"], ["one-to-one"], (7, 16),
     "MO,WE,FR", ("09:00", "16:00"), 5, None),
    ("Self-harm support group", 1, "A group for young people who self-harm, run by trained "
     "staff. Understanding and ways to cope.", ["getting-help", "getting-risk-support"],
     ["group", "peer-support"], (14, 25), "MO", ("17:30", "19:00"), 0, None),
    ("Low mood support sessions", 1, "Guided self-help sessions for young people with low "
     "mood or depression.", ["getting-help"], ["one-to-one", "self-help"], (12, 18), "TU,TH",
     ("13:00", "19:00"), 5, None),
    ("Family hub Northvale", 0, "Family hub: health visitors, parenting advice, stay and play "
     "and signposting.", ["thriving", "getting-advice"], ["family-support", "group"], (0, 19),
     "MO,TU,WE,TH,FR", ("08:30", "17:00"), 0, None),
    ("Family hub Westmere", 0, "Family hub: parenting advice, baby groups, early help.",
     ["thriving", "getting-advice"], ["family-support", "group"], (0, 19), "MO,TU,WE,TH,FR",
     ("08:30", "17:00"), 2, None),
    ("Family hub Ashby Lea", 0, "Family hub: parenting advice, relationships support and "
     "money advice.", ["thriving", "getting-advice"], ["family-support"], (0, 19),
     "MO,TU,WE,TH,FR", ("09:00", "16:00"), 4, None),
    ("Young people's wellbeing app", 3, "Mood tracker and coping tools app for young people.",
     ["thriving", "getting-advice"], ["digital", "self-help"], (11, 25), "MO,TU,WE,TH,FR,SA,SU",
     ("00:00", "24:00"), None, None),
    ("Mindfulness for teens", 1, "An eight-week mindfulness course to manage stress.",
     ["thriving", "getting-advice"], ["group", "self-help"], (13, 18), "WE", ("17:00", "18:30"),
     3, None),
    ("Young dads group", 7, "A group for young fathers to meet, talk and play with their "
     "children.", ["thriving"], ["peer-support", "family-support"], (16, 25), "SA",
     ("10:00", "12:00"), 5, None),
    ("Young mums together", 7, "Peer support for mums aged under 25.", ["thriving",
     "getting-advice"], ["peer-support", "group"], (16, 25), "TH", ("10:00", "12:00"), 4, None),
    ("Youth work one-to-one", 0, "Targeted youth workers for young people who are struggling "
     "at home, school or with friends.", ["getting-advice", "getting-help"], ["one-to-one"],
     (11, 19), "MO,TU,WE,TH,FR", ("10:00", "19:00"), 1, None),
    ("Kirkby Fold youth café", 11, "A youth café with games, snacks and someone to talk to.",
     ["thriving"], ["group"], (11, 18), "WE,FR", ("16:00", "20:00"), 3, None),
    ("Harrow Bridge youth club", 11, "A weekly youth club with sport and arts.", ["thriving"],
     ["group"], (10, 16), "MO", ("18:00", "20:00"), 5, None),
    ("Sibling support group", 10, "Groups for brothers and sisters of disabled children.",
     ["thriving", "getting-advice"], ["group", "peer-support"], (7, 16), "SA",
     ("13:00", "15:00"), 0, None),
    ("School transition support", 0, "Help for children moving to secondary school who are "
     "worried about the change.", ["getting-advice"], ["group", "family-support"], (10, 12),
     "TU", ("15:30", "17:00"), 2, None),
    ("Money and debt advice for families", 0, "Free advice on benefits, debt and budgeting for "
     "families.", ["getting-advice"], ["family-support", "one-to-one"], (18, None), "MO,TH",
     ("09:00", "16:00"), 0, None),
    ("Parent and carer helpline", 1, "A helpline for parents worried about their child's mental "
     "health.", ["getting-advice"], ["family-support", "digital"], (18, None), "MO,TU,WE,TH,FR",
     ("09:00", "21:00"), None, None),
    ("Art therapy for children", 8, "Art therapy with a registered art therapist for children "
     "who find talking hard.", ["getting-help", "getting-more-help"], ["one-to-one"], (5, 12),
     "TH,FR", ("09:00", "15:00"), 4, None),
    ("Drama and confidence club", 11, "Drama games to build confidence for shy young people.",
     ["thriving"], ["group"], (9, 14), "TH", ("16:00", "17:30"), 1, "£1 a session"),
    ("Outdoor adventure mentoring", 6, "Walks, climbing and camping with a mentor for young "
     "people who are withdrawn or anxious.", ["thriving", "getting-help"], ["one-to-one", "group"],
     (12, 17), "SA,SU", ("09:00", "16:00"), 3, None),
    ("Trauma recovery for young people", 9, "Specialist therapeutic support for young people "
     "after trauma or abuse.", ["getting-more-help"], ["one-to-one"], (8, 18), "MO,TU,WE",
     ("09:00", "17:00"), 1, None),
    ("Substance use support for young people", 0, "Confidential advice and support about "
     "alcohol and drugs.", ["getting-help", "getting-risk-support"], ["one-to-one"], (11, 21),
     "MO,WE,FR", ("10:00", "18:00"), 0, None),
    ("Community gardening for wellbeing", 13, "Grow food and flowers together; good for mood.",
     ["thriving"], ["group"], (8, None), "WE,SA", ("10:00", "14:00"), 5, None),
    ("Online forum for young people", 3, "A moderated online forum to share and get support "
     "from peers.", ["getting-advice", "thriving"], ["digital", "peer-support"], (11, 25),
     "MO,TU,WE,TH,FR,SA,SU", ("00:00", "24:00"), None, None),
    ("Relationships advice for parents", 7, "Advice for parents on co-parenting and reducing "
     "conflict at home.", ["getting-advice"], ["family-support"], (18, None), "TU,TH",
     ("18:00", "20:00"), 3, None),
    ("Care leavers drop-in", 0, "A drop-in for care leavers with a personal adviser and "
     "wellbeing worker.", ["getting-advice", "getting-help"], ["one-to-one", "peer-support"],
     (16, 25), "WE", ("12:00", "16:00"), 0, None),
    ("Homework club and wellbeing", 14, "Homework help in a calm space, with wellbeing books.",
     ["thriving"], ["group", "self-help"], (8, 14), "MO,TU,WE,TH", ("15:30", "17:30"), 4, None),
]


def _id(*parts) -> str:
    return str(uuid.uuid5(NS, ":".join(map(str, parts))))


def postcodes(rng: random.Random) -> list[tuple[str, float, float]]:
    out = []
    for _, district, lat, lon in TOWNS:
        for sector in range(1, 5):
            for unit in ("AA", "AB", "BD", "DE", "EF", "HJ"):
                out.append((f"{district} {sector}{unit}", round(lat + rng.uniform(-0.02, 0.02), 5),
                            round(lon + rng.uniform(-0.03, 0.03), 5)))
    return out


def _term(code: str) -> dict:
    return next(t for t in taxonomy.terms() if t["term"] == code)


def build(seed: int = 7) -> tuple[list[dict], list[tuple[str, float, float]]]:
    rng = random.Random(seed)
    codes = postcodes(rng)
    by_district = {d: [c for c in codes if c[0].startswith(d + " ")] for _, d, _, _ in TOWNS}
    orgs = [{"id": _id("org", i), "name": name, "description": desc,
             "email": f"hello@{name.lower().replace(' ', '-').replace('+', '')[:20]}.example.org",
             "website": f"https://{name.lower().replace(' ', '-').replace('+', '')[:20]}.example.org"}
            for i, (name, desc) in enumerate(ORGS)]
    services = []
    refuge = {"id": _id("location", "refuge"), "location_type": "physical",
              "name": "Safe Haven refuge", "latitude": 54.0301, "longitude": -1.5222,
              "addresses": [{"id": _id("address", "refuge"), "address_1": "Address withheld",
                             "city": "Northvale", "state_province": "North Yorkshire",
                             "postal_code": "NV1 4HJ", "country": "GB",
                             "address_type": "physical"}],
              "attributes": [{"id": _id("attr", "refuge"),
                              "taxonomy_term_id": taxonomy.term_id(taxonomy.SENSITIVE_LOCATION),
                              "taxonomy_term": _term(taxonomy.SENSITIVE_LOCATION)}]}
    for n, (name, org, desc, needs, kinds, ages, days, hours, town, cost) in enumerate(S):
        sid = _id("service", n)
        service = {
            "id": sid, "organization_id": orgs[org]["id"], "name": name, "description": desc,
            "status": "active", "email": orgs[org]["email"],
            "url": f"{orgs[org]['website']}/services/{n}",
            "last_modified": "2026-01-15T09:00:00Z",
            "organization": orgs[org],
            "service_areas": [{"id": _id("area", n), "name": "Northvale",
                               "service_area": "Children, young people and families living in "
                                               "Northvale"}],
            "contacts": [{"id": _id("contact", n), "name": "Duty worker", "title": "Duty worker",
                          "phones": [{"id": _id("phone", n),
                                      "number": f"01632 96{n:04d}"}]}],
            "cost_options": [{"id": _id("cost", n), "option": cost or "Free",
                              "amount": 0}] if cost is None else [
                {"id": _id("cost", n), "option": cost}],
        }
        if ages[0] is not None:
            service["minimum_age"] = ages[0]
        if ages[1] is not None:
            service["maximum_age"] = ages[1]
        sal_id = None
        if town == "sensitive":
            sal_id = _id("sal", n)
            service["service_at_locations"] = [{"id": sal_id, "location": refuge}]
        elif town is not None:
            tname, district, _, _ = TOWNS[town]
            code, lat, lon = rng.choice(by_district[district])
            loc_id = _id("location", n)
            sal_id = _id("sal", n)
            service["service_at_locations"] = [{"id": sal_id, "location": {
                "id": loc_id, "location_type": "physical",
                "name": f"{tname} {rng.choice(['Community Centre', 'Hub', 'House', 'Centre'])}",
                "latitude": lat, "longitude": lon,
                "addresses": [{"id": _id("address", n),
                               "address_1": f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
                               "city": tname, "state_province": "North Yorkshire",
                               "postal_code": code, "country": "GB", "address_type": "physical"}],
                "accessibility": [{"id": _id("access", n), "description": rng.choice([
                    "Step-free entrance and accessible toilet.",
                    "Ground floor, hearing loop at reception.",
                    "Lift to all floors; quiet room available."])}],
            }}]
        service["schedules"] = [{
            "id": _id("schedule", n), "freq": "WEEKLY", "byday": days, "opens_at": hours[0],
            "closes_at": hours[1], "description": f"{days.replace(',', ', ')} {hours[0]} to "
                                                  f"{hours[1]}", **({"service_at_location_id":
                                                                     sal_id} if sal_id else {})}]
        service["attributes"] = [
            {"id": _id("attr", n, code), "taxonomy_term_id": taxonomy.term_id(code),
             "link_type": "need" if code in taxonomy.NEEDS else "kind",
             "taxonomy_term": _term(code)} for code in needs + kinds]
        services.append(service)
    return services, codes


def write() -> None:
    services, codes = build()
    (DATA / "demo_directory.json").write_text(json.dumps(services, indent=1, ensure_ascii=False)
                                              + "\n", encoding="utf-8")
    with open(DATA / "demo_postcodes.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["postcode", "latitude", "longitude"])
        writer.writerows(codes)


if __name__ == "__main__":
    write()
