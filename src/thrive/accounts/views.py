"""Signing in and out. With two-step sign-in the password is only the first step: the user is
signed in (django.contrib.auth.login) only once a code from their authenticator app or a recovery
code has been checked, so a wrong code counts towards the same lockout as a wrong password and a
right password alone never resets it."""

import time

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from thrive.core.fields import SpecificMessagesMixin

from . import sso, two_factor
from .models import User

# The session holds who passed the password step, for a few minutes, until the code is entered.
PENDING = "thrive_sign_in_pending"
PENDING_SECONDS = 5 * 60


class SignInForm(SpecificMessagesMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is not active. Ask your agency administrator.",
    }

    def confirm_login_allowed(self, user):
        """Staff of an agency that has turned passwords off sign in only through single sign-on
        (decision 0024). Checked after the password, so the message tells a stranger nothing."""
        super().confirm_login_allowed(user)
        if user.agency_id and not user.agency.passwords_allowed:
            # Counted and audited like a wrong password: this password cannot sign anyone in.
            user_login_failed.send(sender=__name__, credentials={"username": user.username},
                                   request=self.request)
            where = ("Use the single sign-on button on this page." if sso.providers() else
                     "Ask your agency administrator how to sign in.")
            raise forms.ValidationError(
                f"Staff of {user.agency.name} sign in with single sign-on, not a password. "
                f"{where}", code="sso_only")


class SignInView(LoginView):
    template_name = "accounts/sign_in.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sso_providers"] = list(sso.providers().values())
        return context

    def form_valid(self, form):
        user = form.get_user()
        if not two_factor.is_on(user):
            return super().form_valid(form)
        self.request.session[PENDING] = {
            "user": user.pk, "backend": user.backend, "since": time.time(),
            "next": self.get_success_url(),
        }
        return redirect("accounts:sign-in-code")


class SignInCodeForm(SpecificMessagesMixin, forms.Form):
    code = forms.CharField(
        label="Security code", max_length=32,
        help_text="The 6-digit code your authenticator app shows now, or one of your recovery "
                  "codes",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false",
                                      "autocapitalize": "none"}),
    )


def _pending_user(request) -> tuple[User | None, dict]:
    pending = request.session.get(PENDING) or {}
    if not pending or time.time() - pending.get("since", 0) > PENDING_SECONDS:
        return None, {}
    user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
    return user, pending


def sign_in_code(request):
    """The second step: a code from the authenticator app or a recovery code."""
    user, pending = _pending_user(request)
    if user is None:
        if request.session.pop(PENDING, None):
            messages.info(request, "Sign in again: the time to enter your security code ran out")
        return redirect("accounts:sign-in")
    form = SignInCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        credentials = {"username": user.username}
        if AxesProxyHandler.is_locked(request, credentials):
            request.session.pop(PENDING, None)
            return locked_out(request, credentials)
        try:
            verified = two_factor.verify(user, form.cleaned_data["code"])
            error = ("Enter a correct security code: the 6 digits your authenticator app shows "
                     "now, or a recovery code")
        except two_factor.Throttled:
            # django-otp makes the user wait after wrong codes; trying again meanwhile is still
            # a failed attempt.
            verified, error = None, ("Too many wrong codes in a row. Wait a few seconds, then "
                                     "enter the code your authenticator app shows now")
        if verified is not None:
            return _signed_in(request, user, pending, verified)
        # Counted (django-axes) and audited like a wrong password.
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            request.session.pop(PENDING, None)
        form.add_error("code", error)
    return render(request, "accounts/sign_in_code.html", {
        "form": form, "page_title": "Enter your security code", "has_errors": bool(form.errors),
    })


def _signed_in(request, user, pending, verified):
    del request.session[PENDING]
    login(request, user, backend=pending["backend"])
    django_otp.login(request, verified.device)
    if verified.used_recovery_code:
        left = two_factor.recovery_codes_left(user)
        messages.warning(request, f"You used a recovery code. You have {left} left: get new "
                                  "ones from your account page if you are running out.")
    target = pending.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "care:home"
    return redirect(target)


@require_POST
def sign_out(request):
    """Ends the session here; after a single sign-on, also at the provider when it offers that
    (it then sends the person back to the sign-in page)."""
    at_provider = sso.provider_sign_out_url(request, request.session.get(sso.SESSION_KEY))
    logout(request)
    return redirect(at_provider or "accounts:sign-in")


def locked_out(request, credentials=None, *args, **kwargs):
    """Shown by django-axes after too many failed sign-ins for one username from one address."""
    return render(request, "accounts/locked_out.html", {"page_title": "Too many attempts to "
                                                                      "sign in"}, status=429)
