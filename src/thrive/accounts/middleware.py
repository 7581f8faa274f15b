"""Steps a signed-in user must take before anything else: choose their own password in place of
a temporary one, and set up two-step sign-in where their role requires it. Until then every
other page sends them to that step (signing out always works).

A session begun through single sign-on has neither step: it did not use the platform's password,
and the provider's own sign-in is the strong authentication (decision 0024)."""

from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY

from . import two_factor
from .sso import SESSION_KEY as SSO_SESSION

ALWAYS_ALLOWED = ("/static/", "/health")


class SignInStepsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated or request.path.startswith(ALWAYS_ALLOWED):
            return self.get_response(request)
        if request.path == reverse("accounts:sign-out"):
            return self.get_response(request)
        step = self._step_needed(request, user)
        if step is None or request.path == step:
            return self.get_response(request)
        if step == "sign-in":
            # They have two-step sign-in but this session never passed it (it began before they
            # turned it on, elsewhere): it ends.
            logout(request)
            return redirect("accounts:sign-in")
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": "Finish signing in on the website first."},
                                status=403)
        return redirect(step)

    @staticmethod
    def _step_needed(request, user) -> str | None:
        if request.session.get(SSO_SESSION):
            return None
        if request.session.get(DEVICE_ID_SESSION_KEY) and user.is_verified():
            verified = True
        else:
            verified = False
            if two_factor.is_on(user):
                return "sign-in"
        if user.must_change_password:
            return reverse("accounts:password")
        if not verified and two_factor.required_for(user):
            return reverse("accounts:two-factor-setup")
        return None
