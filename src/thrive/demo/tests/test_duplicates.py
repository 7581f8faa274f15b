"""The demo gives the system administrator a possible duplicate, and practitioners re-referrals."""

from datetime import date

import pytest
from django.db.models import Count

from thrive.care.models import Episode
from thrive.demo import writer
from thrive.demo.duplicates import add_possible_duplicate
from thrive.demo.generator import generate
from thrive.people import merge, services

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_re_referral_and_a_possible_duplicate_the_merge_page_lists():
    writer.write(generate(2026, 150, today=date.today()))
    # A second episode at the same agency after an earlier one ended: a re-referral.
    again = (Episode.objects.values("young_person", "agency").annotate(n=Count("id"))
             .filter(n__gt=1))
    assert any(Episode.objects.filter(young_person=row["young_person"], agency=row["agency"],
                                      ending__isnull=False).exists() for row in again)
    assert add_possible_duplicate(date.today()) == {"possible duplicate pairs": 1}
    [pair] = [p for p in merge.possible_duplicates() if p.why.startswith("Added as new")]
    found = services.possible_matches({"given_name": pair.second.given_name,
                                       "family_name": pair.second.family_name,
                                       "date_of_birth": pair.second.date_of_birth})
    assert pair.first in [m.person for m in found]
    writer.flush()  # the demo's own flush removes it too
