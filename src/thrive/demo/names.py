"""Names, schools and places for Northvale. All invented; any likeness to real people is chance.

Name pools follow ethnic category loosely so a record reads as a plausible family, without
pretending a name says anything about a person.
"""

from __future__ import annotations

import random

from .weighted import Weighted

_POOLS = {
    "british": (
        ("Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Isabella", "Freya", "Grace",
         "Sophia", "Ella", "Evie", "Poppy", "Charlotte", "Daisy", "Ruby", "Emily", "Chloe",
         "Holly", "Megan", "Katie", "Lauren", "Jessica", "Ellie", "Niamh", "Erin", "Sienna"),
        ("Oliver", "George", "Harry", "Noah", "Jack", "Leo", "Arthur", "Oscar", "Charlie",
         "Jacob", "Thomas", "Alfie", "Freddie", "Archie", "James", "Joshua", "Lewis", "Ryan",
         "Callum", "Kieran", "Dylan", "Liam", "Ethan", "Mason", "Tyler", "Connor", "Finn"),
        ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
         "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green",
         "Hall", "Wood", "Jackson", "Clarke", "Hughes", "Turner", "Hill", "Moore", "Cooper",
         "Ward", "Harrison", "Armstrong", "Dixon", "Milburn", "Charlton", "Robson", "Bell",
         "Graham", "Murphy", "Kelly", "O'Brien", "Byrne", "Fletcher", "Atkinson"),
    ),
    "south_asian": (
        ("Amira", "Aisha", "Zara", "Maryam", "Fatima", "Hafsa", "Inaya", "Anaya", "Priya",
         "Simran", "Aaliyah", "Safiya", "Noor", "Khadija", "Riya", "Sana"),
        ("Mohammed", "Muhammad", "Ibrahim", "Yusuf", "Ayaan", "Zayn", "Adam", "Hamza", "Arjun",
         "Rohan", "Ali", "Bilal", "Imran", "Idris", "Omar", "Harvinder"),
        ("Khan", "Hussain", "Ahmed", "Ali", "Begum", "Patel", "Shah", "Iqbal", "Rahman",
         "Akhtar", "Mahmood", "Sharma", "Singh", "Kaur", "Chowdhury", "Islam", "Uddin", "Miah"),
    ),
    "black": (
        ("Amara", "Nia", "Adaeze", "Chioma", "Zainab", "Kemi", "Imani", "Tiana", "Ama",
         "Abena", "Folake", "Precious", "Blessing", "Maya"),
        ("Kofi", "Tobi", "Daniel", "Samuel", "Emmanuel", "Kwame", "Chidi", "Jayden", "Malachi",
         "Isaiah", "Tyrone", "Jerome", "David", "Femi"),
        ("Okafor", "Mensah", "Adeyemi", "Campbell", "Osei", "Boateng", "Ogunleye", "Nwosu",
         "Francis", "Thomas", "Williams", "Brown", "Asante", "Bello"),
    ),
    "european": (
        ("Zofia", "Maja", "Lena", "Hanna", "Alicja", "Natalia", "Ioana", "Elena", "Julia",
         "Amelia"),
        ("Jakub", "Filip", "Kacper", "Mateusz", "Lukas", "Andrei", "Nikola", "Tomas", "Oskar"),
        ("Nowak", "Kowalczyk", "Popescu", "Novak", "Horvat", "Petrov", "Kazlauskas", "Marin",
         "Rossi", "Silva", "Santos", "Wojcik"),
    ),
    "east_asian": (
        ("Mei", "Lin", "Yuki", "Grace", "Hannah", "Jasmine"),
        ("Jun", "Wei", "Ethan", "Hao", "Kevin", "Ryan"),
        ("Chen", "Wong", "Li", "Zhang", "Liu", "Nguyen", "Tran", "Kim", "Lam"),
    ),
}
_POOL_NAMES = tuple(_POOLS)

# Which name pools to draw from for each ethnic category (weights).
_POOL_WEIGHTS = {
    "A": (97, 1, 1, 1, 0), "B": (100, 0, 0, 0, 0), "C": (25, 0, 0, 75, 0),
    "D": (55, 0, 45, 0, 0), "E": (45, 0, 55, 0, 0), "F": (55, 45, 0, 0, 0),
    "G": (40, 20, 20, 10, 10), "H": (0, 100, 0, 0, 0), "J": (0, 100, 0, 0, 0),
    "K": (0, 100, 0, 0, 0), "L": (5, 90, 0, 0, 5), "M": (25, 0, 75, 0, 0),
    "N": (5, 0, 95, 0, 0), "P": (20, 0, 80, 0, 0), "R": (5, 0, 0, 0, 95),
    "S": (20, 30, 20, 15, 15), "Z": (80, 8, 5, 5, 2), "99": (80, 8, 5, 5, 2),
}

NICKNAMES = {
    "Mohammed": "Mo", "Muhammad": "Mo", "Charlotte": "Charlie", "Isabella": "Bella",
    "Alfie": "Alf", "Joshua": "Josh", "Thomas": "Tom", "Jessica": "Jess", "Samuel": "Sam",
    "Daniel": "Dan", "Nikola": "Niko", "Oliver": "Ollie", "Frederick": "Fred",
    "Katie": "Kat", "Elena": "Lena", "Abena": "Abby", "Emmanuel": "Manny", "Ibrahim": "Ibby",
    "Jacob": "Jake", "James": "Jamie", "Natalia": "Nat", "Zofia": "Zosia",
}

_ADULT_GIVEN = (
    "Sarah", "Rachel", "Helen", "Claire", "Emma", "Joanne", "Laura", "Hannah", "Nicola", "Lucy",
    "Rebecca", "Victoria", "Anna", "Jennifer", "Louise", "Farah", "Nadia", "Yasmin", "Grace",
    "Chiamaka", "Ewa", "Mei", "David", "Mark", "Paul", "Andrew", "Richard", "Stephen", "Neil",
    "Simon", "Matthew", "Chris", "Gareth", "Imran", "Tariq", "Sanjay", "Kojo", "Piotr", "Tom",
)


_POOL_FOR = {code: Weighted(tuple(zip(_POOL_NAMES, w, strict=True)))
             for code, w in _POOL_WEIGHTS.items()}
_ADULT_POOL = Weighted(tuple(zip(_POOL_NAMES, (70, 14, 8, 5, 3), strict=True)))


def pool_for(rng: random.Random, ethnic_category: str) -> str:
    return _POOL_FOR.get(ethnic_category, _POOL_FOR["Z"])(rng)


def given_name(rng: random.Random, pool: str, female: bool) -> str:
    girls, boys, _ = _POOLS[pool]
    return rng.choice(girls if female else boys)


def family_name(rng: random.Random, pool: str) -> str:
    return rng.choice(_POOLS[pool][2])


def adult_given_name(rng: random.Random, pool: str, female: bool) -> str:
    # Parents' names: the young person's pool, shifted a generation with some adult names.
    if pool == "british" and rng.random() < 0.6:
        return rng.choice(_ADULT_GIVEN[:22] if female else _ADULT_GIVEN[22:])
    return given_name(rng, pool, female)


def adult_name(rng: random.Random) -> tuple[str, str]:
    pool = _ADULT_POOL(rng)
    return adult_given_name(rng, pool, rng.random() < 0.75), family_name(rng, pool)


# ~15 schools: (name, side of town served by which MHST, phase).
SCHOOLS = (
    ("Eastfield Primary School", "east", "primary"),
    ("St Aidan's CE Primary School", "east", "primary"),
    ("Brookside Infant and Junior School", "east", "primary"),
    ("Riverside Community Primary School", "east", "primary"),
    ("Westgate Primary School", "west", "primary"),
    ("Holy Family Catholic Primary School", "west", "primary"),
    ("Moorland Primary Academy", "west", "primary"),
    ("Hillcrest Primary School", "west", "primary"),
    ("Oakwood Special School", "east", "all"),
    ("Northvale Academy", "east", "secondary"),
    ("Eastbridge High School", "east", "secondary"),
    ("St Cuthbert's Catholic High School", "east", "secondary"),
    ("Westmoor School", "west", "secondary"),
    ("Castle Hill Academy", "west", "secondary"),
    ("Northvale Sixth Form College", "west", "college"),
    ("Northvale College", "east", "college"),
)
SCHOOL_SIDE = {name: side for name, side, _ in SCHOOLS}
_BY_PHASE = {
    phase: tuple(s[0] for s in SCHOOLS if s[2] == phase)
    for phase in ("primary", "secondary", "college")
}


def school_for_age(rng: random.Random, age: int) -> str:
    if rng.random() < 0.02:
        return "Oakwood Special School"
    if rng.random() < 0.015:
        return ""  # home educated or not known
    if age < 11:
        return rng.choice(_BY_PHASE["primary"])
    if age < 16:
        return rng.choice(_BY_PHASE["secondary"])
    return rng.choice(_BY_PHASE["college"] + _BY_PHASE["secondary"][:2])


# "NV" is not a real postcode area. District -> typical deprivation decile (1 = most deprived).
_DISTRICTS = {"NV1": 2, "NV2": 3, "NV3": 5, "NV4": 7, "NV5": 9, "NV6": 4, "NV7": 6, "NV8": 8}
_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters Royal Mail uses in the inward code


def postcode_and_decile(rng: random.Random) -> tuple[str, int]:
    district = rng.choice(tuple(_DISTRICTS))
    decile = min(10, max(1, _DISTRICTS[district] + rng.randint(-2, 2)))
    inward = f"{rng.randint(1, 9)}{rng.choice(_UNIT_LETTERS)}{rng.choice(_UNIT_LETTERS)}"
    return f"{district} {inward}", decile
