"""Single sign-on pages (decision 0024). Thin: the rules are in sso.py. All of them sit under
sign-in/ so they are reachable before signing in (core.middleware.PUBLIC_PREFIXES)."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from thrive.core.fields import SpecificMessagesMixin
from thrive.core.views import apply

from . import sso


def _refused(request, refused: sso.SignInRefused):
    return render(request, "accounts/sso_refused.html", {
        "page_title": refused.title, "message": str(refused),
    }, status=403)


def _safe_next(request, target: str) -> str:
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return "care:home"


def sso_start(request, name):
    """The sign-in page's "Sign in with …" button: off to the provider."""
    provider = sso.provider_or_404(name)
    if request.user.is_authenticated:
        return redirect("care:home")
    target = request.GET.get("next", "")
    # A path on this site only: never a query string that could carry identifiers.
    target = target if target.startswith("/") and "?" not in target else ""
    try:
        return sso.begin(request, provider, target)
    except sso.SignInRefused as refused:
        return _refused(request, refused)


def sso_callback(request, name):
    """The provider sends the person back here with a code."""
    provider = sso.provider_or_404(name)
    try:
        user = sso.finish(request, sso.answer(request, provider))
    except sso.SignInRefused as refused:
        return _refused(request, refused)
    if user is None:
        return redirect("accounts:sso-link")
    return redirect(_safe_next(request, sso.next_path(request)))


class LinkCodeForm(SpecificMessagesMixin, forms.Form):
    code = forms.CharField(
        label="Link code", max_length=40,
        help_text="The code your agency administrator gave you, for example ABCD-EFGH-JKLM-NPQR",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                      "autocapitalize": "characters"}),
    )


def sso_link(request):
    """A provider account no one here is linked to: the person enters the one-time code their
    administrator gave them, or is told to ask for one. No account is ever made here."""
    pending = sso.pending(request)
    if pending is None:
        messages.info(request, "Sign in again: the time to link your account ran out")
        return redirect("accounts:sign-in")
    provider = sso.provider_or_404(pending["provider"])
    form = LinkCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = apply(form, lambda: sso.link(request, form.cleaned_data["code"]))
        except sso.SignInRefused as refused:
            return _refused(request, refused)
        if user:
            messages.success(request, f"Your {provider.label} sign-in is now linked to this "
                                      "account. Next time, just sign in with it.")
            return redirect(_safe_next(request, sso.next_path(request)))
    return render(request, "accounts/sso_link.html", {
        "page_title": "Link your account", "form": form, "provider": provider,
        "has_errors": bool(form.errors),
    })
