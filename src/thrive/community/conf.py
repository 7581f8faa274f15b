"""Community THRIVE settings, each with its default, read from Django settings when present."""

from django.conf import settings


def min_age() -> int:
    """The youngest age that may take part (default 11)."""
    return int(getattr(settings, "THRIVE_COMMUNITY_MIN_AGE", 11))


def carer_consent_under() -> int:
    """Participants under this age confirm that a parent or carer agrees (default 16; 0: never
    asked)."""
    return int(getattr(settings, "THRIVE_COMMUNITY_CARER_CONSENT_UNDER", 16))


def join_rate_limit() -> tuple[int, int]:
    """(requests, seconds): how many join-page requests one address may make in a window. A room
    of 30 on one school or venue network shares an address, and each person makes about two
    requests per factor, so the default (300 a minute) is generous."""
    return (int(getattr(settings, "THRIVE_COMMUNITY_JOIN_LIMIT", 300)),
            int(getattr(settings, "THRIVE_COMMUNITY_JOIN_WINDOW_SECONDS", 60)))


def divergence_threshold() -> float:
    """|young people − adults| at or above this is flagged (default 1.0)."""
    return float(getattr(settings, "THRIVE_COMMUNITY_DIVERGENCE_THRESHOLD", 1.0))


def change_threshold() -> float:
    """|change| at or above this is "better" or "worse" (default 0.5)."""
    return float(getattr(settings, "THRIVE_COMMUNITY_CHANGE_THRESHOLD", 0.5))


def trauma_overlay() -> bool:
    """Show the optional trauma overlay (observations and radar markers); on by default."""
    return bool(getattr(settings, "THRIVE_COMMUNITY_TRAUMA_OVERLAY", True))
