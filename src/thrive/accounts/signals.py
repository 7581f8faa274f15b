from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from thrive.core import audit
from thrive.core.models import AuditEvent


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    from .sso import SESSION_KEY

    sso = request.session.get(SESSION_KEY) if request is not None else None
    audit.record(request, AuditEvent.Action.SIGN_IN, user=user,
                 detail=f"single sign-on ({sso['provider']})" if sso else "")


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(request, AuditEvent.Action.SIGN_OUT, user=user)


@receiver(user_login_failed)
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    # The attempted username is kept (to spot attacks); the password never is.
    audit.record(
        request, AuditEvent.Action.SIGN_IN_FAILED,
        username=str(credentials.get("username", ""))[:150], user=None,
    )
