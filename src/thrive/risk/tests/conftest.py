import pytest

from thrive.accounts.models import Agency


@pytest.fixture
def agencies(camhs, school):
    return [camhs, school]


@pytest.fixture
def council(db):
    return Agency.objects.create(name="Test Early Help", kind=Agency.Kind.COUNCIL)
