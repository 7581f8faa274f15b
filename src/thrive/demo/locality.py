"""The Northvale locality: agencies, teams and the staff who sign in.

Agency and team names and the sign-in users are fixed (docs and screenshots can rely on them);
the other practitioners' names come from the seed. Team sizes grow with the number of young
people so caseloads stay in the tens, as in a real service.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from . import names
from .records import AgencyRec, Locality, TeamRec, UserRec

# Team codes used by the history generator to route referrals.
CAMHS_HELP = "camhs_help"
CAMHS_MORE = "camhs_more"
CAMHS_CRISIS = "camhs_crisis"
MHST_EAST = "mhst_east"
MHST_WEST = "mhst_west"
EARLY_HELP = "early_help"
OPEN_DOOR = "open_door"


@dataclass(frozen=True)
class TeamSpec:
    code: str
    agency: str
    name: str
    # Practitioners at 2,000 young people; scaled linearly with the population.
    size: int
    job_titles: tuple[str, ...]
    manager: str  # sign-in username of the team manager


AGENCIES = (
    ("Northvale CAMHS", "nhs"),
    ("Northvale MHST East", "nhs"),
    # Some mental health support teams are hosted by a schools' trust rather than the NHS.
    ("Northvale MHST West", "school"),
    ("Northvale Council Early Help", "council"),
    ("Open Door Youth Counselling", "charity"),
)

CAMHS_TITLES = (
    "Clinical psychologist", "Mental health nurse", "CBT therapist", "Family therapist",
    "Child and adolescent psychotherapist", "Children's wellbeing practitioner",
    "Occupational therapist",
)
TEAMS = (
    TeamSpec(CAMHS_HELP, "Northvale CAMHS", "CAMHS Getting Help team", 10, CAMHS_TITLES,
             "manager.camhs"),
    TeamSpec(CAMHS_MORE, "Northvale CAMHS", "CAMHS Getting More Help team", 5,
             CAMHS_TITLES + ("Consultant child and adolescent psychiatrist", "Dietitian"),
             "manager.camhs.morehelp"),
    TeamSpec(CAMHS_CRISIS, "Northvale CAMHS", "CAMHS Crisis and Risk Support team", 3,
             ("Crisis practitioner", "Mental health nurse", "Social worker",
              "Consultant child and adolescent psychiatrist"), "manager.camhs.crisis"),
    TeamSpec(MHST_EAST, "Northvale MHST East", "MHST East team", 4,
             ("Education mental health practitioner", "Senior education mental health "
              "practitioner", "CBT therapist"), "manager.mhst.east"),
    TeamSpec(MHST_WEST, "Northvale MHST West", "MHST West team", 4,
             ("Education mental health practitioner", "Senior education mental health "
              "practitioner", "Clinical psychologist"), "manager.mhst.west"),
    TeamSpec(EARLY_HELP, "Northvale Council Early Help", "Early Help family support team", 6,
             ("Family support worker", "Early help practitioner", "Youth worker",
              "Parenting practitioner"), "manager.earlyhelp"),
    TeamSpec(OPEN_DOOR, "Open Door Youth Counselling", "Counselling and wellbeing team", 3,
             ("Youth counsellor", "Counselling psychologist", "Youth worker",
              "Art therapist"), "manager.opendoor"),
)

# The one obvious practitioner per agency: (username, team code, first, last, job title).
DEMO_PRACTITIONERS = (
    ("camhs.practitioner", CAMHS_HELP, "Amira", "Hussain", "Clinical psychologist"),
    ("mhst.east.practitioner", MHST_EAST, "Rachel", "Dawson",
     "Education mental health practitioner"),
    ("mhst.west.practitioner", MHST_WEST, "Tomasz", "Nowak",
     "Education mental health practitioner"),
    ("earlyhelp.practitioner", EARLY_HELP, "Gemma", "Robson", "Family support worker"),
    ("opendoor.practitioner", OPEN_DOOR, "Kwame", "Mensah", "Youth counsellor"),
)
MANAGER_NAMES = {
    "manager.camhs": ("Helen", "Armstrong"),
    "manager.camhs.morehelp": ("David", "Okafor"),
    "manager.camhs.crisis": ("Sarah", "Milburn"),
    "manager.mhst.east": ("Priya", "Sharma"),
    "manager.mhst.west": ("Mark", "Charlton"),
    "manager.earlyhelp": ("Joanne", "Bell"),
    "manager.opendoor": ("Farah", "Iqbal"),
}
# Users without a team: (username, role, agency name or None, first, last, job title).
OTHER_SIGNINS = (
    ("admin.camhs", "agency_admin", "Northvale CAMHS", "Claire", "Hughes",
     "Service administrator"),
    ("analyst", "analyst", None, "Ben", "Turner", "Commissioning analyst, Northvale ICB"),
    ("privacy", "privacy_officer", None, "Ruth", "Graham", "Data protection officer"),
    ("sysadmin", "system_admin", None, "Sam", "Lee", "System administrator"),
    ("facilitator", "facilitator", None, "Femi", "Adeyemi",
     "Community THRIVE facilitator, Northvale public health"),
    ("sitelead", "site_lead", None, "Nadia", "Clarke", "THRIVE implementation lead, Northvale ICB"),
    ("directory", "directory_editor", None, "Tom", "Reid", "Directory editor, Northvale FIS"),
)

SIGNIN_USERNAMES = (
    tuple(p[0] for p in DEMO_PRACTITIONERS) + tuple(t.manager for t in TEAMS)
    + tuple(o[0] for o in OTHER_SIGNINS)
)
AGENCY_NAMES = tuple(name for name, _ in AGENCIES)


@dataclass
class Staffing:
    """The locality plus look-ups the history generator needs."""

    locality: Locality
    team_key: dict[str, int]  # team code -> team key
    agency_key: dict[str, int]  # team code -> agency key
    practitioners: dict[str, list[int]]  # team code -> user keys, demo practitioner first


def team_size(spec: TeamSpec, young_people: int) -> int:
    return max(2, round(spec.size * young_people / 2000))


def build_locality(rng: random.Random, young_people: int) -> Staffing:
    agencies = [AgencyRec(i, name, kind) for i, (name, kind) in enumerate(AGENCIES)]
    agency_by_name = {a.name: a.key for a in agencies}
    teams, users, practitioners = [], [], {}
    taken = set(SIGNIN_USERNAMES)

    def add_user(username, first, last, role, agency, team, title, signin):
        users.append(UserRec(len(users), username, first, last, role, agency, team, title, signin))
        return len(users) - 1

    demo_by_team = {p[1]: p for p in DEMO_PRACTITIONERS}
    for spec in TEAMS:
        agency = agency_by_name[spec.agency]
        team = TeamRec(len(teams), agency, spec.name)
        teams.append(team)
        first, last = MANAGER_NAMES[spec.manager]
        add_user(spec.manager, first, last, "team_manager", agency, team.key, "Team manager", True)
        keys = []
        if spec.code in demo_by_team:
            username, _, first, last, title = demo_by_team[spec.code]
            keys.append(add_user(username, first, last, "practitioner", agency, team.key, title,
                                 True))
        while len(keys) < team_size(spec, young_people):
            first, last = names.adult_name(rng)
            username = _unique(f"{first}.{last}".lower().replace("'", ""), taken)
            keys.append(add_user(username, first, last, "practitioner", agency, team.key,
                                 rng.choice(spec.job_titles), False))
        practitioners[spec.code] = keys
    for username, role, agency_name, first, last, title in OTHER_SIGNINS:
        add_user(username, first, last, role, agency_by_name.get(agency_name), None, title, True)

    return Staffing(
        locality=Locality(agencies, teams, users),
        team_key={spec.code: i for i, spec in enumerate(TEAMS)},
        agency_key={spec.code: agency_by_name[spec.agency] for spec in TEAMS},
        practitioners=practitioners,
    )


def _unique(username: str, taken: set[str]) -> str:
    candidate, n = username, 1
    while candidate in taken:
        n += 1
        candidate = f"{username}{n}"
    taken.add(candidate)
    return candidate
