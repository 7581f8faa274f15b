"""Search relevance: everyday words from young people, parents and practitioners, each with
the service that must be in the top 3 of the Northvale demo directory. Runs on whichever
database the tests use (SQLite FTS5 by default; PostgreSQL full-text search with
DATABASE_URL), so both are held to the same table."""

import pytest

from thrive.directory import text_index
from thrive.directory.search import Criteria, search

pytestmark = pytest.mark.django_db

CRISIS_LINE = "24-hour crisis line"
LOW_MOOD = "Low mood support sessions"

RELEVANCE = [
    # A young person's words
    ("suicidal", CRISIS_LINE),
    ("suicide", CRISIS_LINE),
    ("i want to kill myself", CRISIS_LINE),
    ("sucidal", CRISIS_LINE),
    ("i feel unsafe", CRISIS_LINE),
    ("self harm", "Self-harm support group"),
    ("selfharm", "Self-harm support group"),
    ("cutting myself", "Self-harm support group"),
    ("feeling low", LOW_MOOD),
    ("depressed", LOW_MOOD),
    ("depresion", LOW_MOOD),
    ("sad all the time", LOW_MOOD),
    ("panic attacks", "Anxiety and worry group for teenagers"),
    ("anxious", "Anxiety and worry group for teenagers"),
    ("anxeity", "Anxiety and worry group for teenagers"),
    ("worried about exams", "Exam stress study space"),
    ("exam stress", "Exam stress study space"),
    ("someone to talk to", "Counselling for young people"),
    ("councelling", "Counselling for young people"),
    ("counseling", "Counselling for young people"),
    ("counsellor online", "Online chat with a counsellor"),
    ("text a counsellor", "Online chat with a counsellor"),
    ("my mum died", "Children's bereavement support"),
    ("grief", "Grief group for teenagers"),
    ("bereavment", "Children's bereavement support"),
    ("being bullied", "Bullying support service"),
    ("lonely", "Rainbow one-to-one mentoring"),
    ("gay", "LGBTQ+ youth group"),
    ("trans", "LGBTQ+ youth group"),
    ("coming out", "Rainbow one-to-one mentoring"),
    ("can't sleep", "Sleep well online course"),
    ("eating disorder", "Eating well for teens"),
    ("drugs and alcohol", "Substance use support for young people"),
    ("weed", "Substance use support for young people"),
    ("young carer", "Young carers club"),
    ("mindfulness", "Mindfulness for teens"),
    ("wellbeing app", "Young people's wellbeing app"),
    ("youth club", "Eastbrook youth club"),
    # A parent's words
    ("parenting teenagers", "Parenting teenagers course"),
    ("worried about my child", "Parent and carer helpline"),
    ("autism", "Autism and ADHD parent peer group"),
    ("adhd", "Neurodiverse teens social"),
    ("domestic violence", "Domestic abuse family support"),
    ("money worries", "Money and debt advice for families"),
    ("debt", "Money and debt advice for families"),
    ("separated parents arguing", "Relationships advice for parents"),
    ("moving to secondary school", "School transition support"),
    ("therapy for parents", "Talking therapy for parents"),
    ("young dad", "Young dads group"),
    ("family hub", "Family hub Northvale"),
    # A practitioner's words
    ("CAMHS", "Parent and carer helpline"),
    ("cahms", "Parent and carer helpline"),
    ("crisis", CRISIS_LINE),
    ("trauma", "Trauma recovery for young people"),
    ("art therapy", "Art therapy for children"),
    ("peer support", "Peer support circle"),
    ("care leavers", "Care leavers drop-in"),
    ("substance misuse", "Substance use support for young people"),
    ("sibling", "Sibling support group"),
    ("refuge", "Children's refuge outreach"),
]


def test_the_table_is_big_enough():
    assert len(RELEVANCE) >= 40


def test_search_uses_the_databases_full_text_index():
    assert text_index.backend() in ("sqlite", "postgresql")


def test_everyday_words_find_the_right_help(demo_directory):
    # One directory load for the whole table; every miss is reported, not just the first.
    misses = []
    for words, expected in RELEVANCE:
        top = [h.service.name for h in search(Criteria(text=words), per_page=3).hits]
        if expected not in top:
            misses.append(f"{words!r}: wanted {expected!r}, top 3 were {top}")
    assert misses == []
