"""The accessibility check itself: it must fail loudly, or every other browser test proves
nothing."""

import pytest

from .support import assert_accessible

pytestmark = pytest.mark.browser


def test_the_accessibility_check_lists_each_violation_with_where_it_is(page):
    page.set_content(
        '<!DOCTYPE html><html lang="en"><head><title>Broken</title></head><body><main>'
        '<h1>Broken</h1><img src="data:," id="no-alt"><input id="no-label" type="text">'
        "</main></body></html>"
    )
    with pytest.raises(pytest.fail.Exception) as failure:
        assert_accessible(page)
    report = str(failure.value)
    assert "- image-alt (critical): Images must have alternative text" in report
    assert "at #no-alt" in report
    assert "- label (critical): Form elements must have labels" in report
    assert "at #no-label" in report
