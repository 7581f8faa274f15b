"""Exceptions raised for bad input or bad configuration.

Every one is a ValueError so callers that only care about "bad data" can catch that, while
forms and APIs can tell the cases apart.
"""


class MeasureError(ValueError):
    """Base class for every error raised by the measures engine."""


class UnknownMeasure(MeasureError):
    """The measure id is not in the catalogue."""


class UnknownScale(MeasureError):
    """The scale id is not a scale of the measure."""


class UnknownItem(MeasureError):
    """A response was given for an item number the measure does not have."""


class ResponseOutOfRange(MeasureError):
    """A response is not one of the item's allowed values."""


class RaterNotAvailable(MeasureError):
    """The measure has no version for this rater."""


class EnteredTotalOutOfRange(MeasureError):
    """A total entered from paper is outside the scale's range (or not a whole number)."""


class ConflictingInput(MeasureError):
    """Both item responses and an entered total were given for the same scale."""


class DuplicateResponse(MeasureError):
    """The same item of the same completion appears twice in a batch."""


class InvalidConfiguration(MeasureError):
    """A catalogue, item-text or conversion file is malformed or inconsistent."""
