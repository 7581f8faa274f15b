"""A password validator for what Django's own miss.

Django's common-password list (about 20,000 leaked passwords) holds few passwords of 12 or more
characters, so `aaaaaaaaaaaa` or `abcabcabcabc` pass the length, common and similarity checks.
This refuses passwords made of very few different characters or of one short block repeated. It
sets no composition rule (no "must contain a symbol"): long passphrases stay welcome.
"""

from django.core.exceptions import ValidationError

MESSAGE = ("Your password repeats the same few characters. Use a longer mix, such as three or "
           "four random words.")


class VarietyValidator:
    def __init__(self, min_distinct: int = 5):
        self.min_distinct = min_distinct

    def validate(self, password, user=None):
        if len(set(password.lower())) < self.min_distinct or _is_repeated_block(password.lower()):
            raise ValidationError(MESSAGE, code="password_too_repetitive")

    def get_help_text(self):
        return "Your password cannot be the same few characters repeated."


def _is_repeated_block(password: str) -> bool:
    """True for 'abcdabcdabcd': the whole password is one shorter block over and over."""
    size = len(password)
    return any(size % block == 0 and password == password[:block] * (size // block)
               for block in range(1, size // 2 + 1))
