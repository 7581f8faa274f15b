"""The demo exercises corrections: entries entered in error and a version history."""

from datetime import date

import pytest

from thrive.care.models import Contact, GroupingDecision
from thrive.demo import writer
from thrive.demo.corrections import add_corrections
from thrive.demo.generator import generate
from thrive.history.models import FieldChange

pytestmark = pytest.mark.django_db


def test_the_demo_marks_entries_in_error_and_keeps_versions():
    writer.write(generate(2026, 120, today=date.today()))
    counts = add_corrections(date.today())
    assert counts["entered in error"] == 5  # three contacts, a rating, a grouping
    assert Contact.objects.entered_in_error().count() >= 1
    assert FieldChange.objects.filter(field_name="postcode").count() == 3
    # Handing "current" back kept one current grouping per episode.
    wrong = GroupingDecision.objects.entered_in_error().get()
    assert not wrong.is_current
    assert GroupingDecision.objects.filter(episode=wrong.episode, is_current=True).count() == 1
