from hypothesis import assume, given
from hypothesis import strategies as st

from thrive.people import nhs_number


def test_a_published_valid_example_passes():
    assert nhs_number.is_valid("943 476 5919")
    assert nhs_number.formatted("9434765919") == "943 476 5919"


def test_a_changed_digit_fails_with_a_reason_a_person_can_act_on():
    assert nhs_number.problem("9434765918") == (
        "Enter a valid NHS number: check the digits, this one does not pass the NHS check"
    )


def test_wrong_length_or_letters_are_refused():
    assert nhs_number.problem("12345") == "NHS number must be 10 digits"
    assert nhs_number.problem("94347659AB") == "NHS number must be 10 digits"


def test_bodies_whose_check_digit_would_be_ten_have_no_valid_number():
    # 10+... weights sum to a remainder of 1 → check digit 10 → no valid number exists
    body = next(b for b in (f"{n:09d}" for n in range(100000000, 100001000))
                if nhs_number.check_digit(b) is None)
    assert not any(nhs_number.is_valid(body + str(d)) for d in range(10))


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_exactly_one_check_digit_is_valid_for_any_body(body):
    valid = [d for d in range(10) if nhs_number.is_valid(body + str(d))]
    expected = nhs_number.check_digit(body)
    assert valid == ([] if expected is None else [expected])


@given(st.text(alphabet="0123456789", min_size=9, max_size=9), st.integers(0, 8),
       st.integers(1, 9))
def test_any_single_digit_typo_is_caught(body, position, shift):
    digit = nhs_number.check_digit(body)
    assume(digit is not None)
    good = body + str(digit)
    typo = good[:position] + str((int(good[position]) + shift) % 10) + good[position + 1:]
    assert not nhs_number.is_valid(typo)
