import io

import pytest
from django.core.management import call_command

from thrive.directory.models import Postcode
from thrive.directory.postcodes import PostcodeFileError, load_postcodes_counted

pytestmark = pytest.mark.django_db


def test_no_location_rows_are_skipped_and_counted(tmp_path):
    path = tmp_path / "onspd.csv"
    path.write_text("pcds,lat,long\nNV1 1AA,53.1,-1.5\nNV9 9ZZ,99.999999,0.000000\n"
                    "NV2 2BB,,\nNV3 3CC,53.2,-1.6\n", encoding="utf-8")
    assert load_postcodes_counted(path) == (2, 2)
    assert set(Postcode.objects.values_list("postcode", flat=True)) == {"NV1 1AA", "NV3 3CC"}
    out = io.StringIO()
    call_command("load_postcodes", str(path), stdout=out)
    assert "2 postcodes loaded; 2 skipped as having no location." in out.getvalue()


def test_a_broken_row_still_stops_the_load(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("pcds,lat,long\nNV1 1AA,53.1,-1.5\nNV3 3CC,north,-1.6\n", encoding="utf-8")
    with pytest.raises(PostcodeFileError):
        load_postcodes_counted(path)
    assert Postcode.objects.count() == 0
