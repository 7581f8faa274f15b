"""Who may do what with a round. Role gates come from accounts.permissions; the rest follows from
a user's place on the panel. The one rule that matters most: a member who has not submitted
never reads anyone's scores."""

from django.db.models import Q

from thrive.accounts import permissions

from .models import PanelMember, Round


def is_lead(user, round_: Round) -> bool:
    return permissions.can_lead_self_assessment(user)


def membership(user, round_: Round) -> PanelMember | None:
    return round_.panel.filter(user=user).first() if user.is_authenticated else None


def can_open(user, round_: Round) -> bool:
    return is_lead(user, round_) or membership(user, round_) is not None


def can_see_scores(user, round_: Round) -> bool:
    """Other people's scores and notes (the moderation view, results): never while the user has
    a panel place they have not submitted in an open round."""
    member = membership(user, round_)
    if round_.is_open and member is not None and not member.submitted:
        return False
    if is_lead(user, round_):
        return True
    return member is not None and (member.submitted or not round_.is_open)


def visible_rounds(user):
    if permissions.can_lead_self_assessment(user):
        return Round.objects.all()
    return Round.objects.filter(Q(panel__user=user)).distinct()


def has_rounds_to_score(user) -> bool:
    """For the header link: panel members with an open round they have not submitted."""
    if not getattr(user, "is_authenticated", False):
        return False
    return PanelMember.objects.filter(
        user=user, round__status=Round.Status.OPEN, submitted_at__isnull=True
    ).exists()


def shows_self_assessment(user) -> bool:
    """The header and home page link: leads, and panel members of any round."""
    if not getattr(user, "is_authenticated", False):
        return False
    return permissions.can_lead_self_assessment(user) or PanelMember.objects.filter(user=user).exists()
