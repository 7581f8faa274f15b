"""Your own account: password and two-step sign-in (set up, new recovery codes, turn off).

Recovery codes, like temporary passwords, are rendered straight into the response to the POST
that made them: never redirected through a URL, put in the session or messages, or audited.
"""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse

from thrive.core.fields import SpecificMessagesMixin
from thrive.core.rules import RuleBroken
from thrive.core.views import apply, form_page

from . import sso, two_factor


class CodeForm(SpecificMessagesMixin, forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app", max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "spellcheck": "false"}),
    )


class TurnOffForm(SpecificMessagesMixin, forms.Form):
    code = forms.CharField(
        label="Security code", max_length=32,
        help_text="The 6-digit code your authenticator app shows now, or a recovery code",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
    )


def _posted(request):
    return request.POST if request.method == "POST" else None


def account(request):
    user = request.user
    on = two_factor.is_on(user)
    return render(request, "accounts/account.html", {
        "page_title": "Your account", "two_factor_on": on,
        "two_factor_required": two_factor.required_for(user),
        "recovery_codes_left": two_factor.recovery_codes_left(user) if on else 0,
        "back_url": reverse("care:home"),
        "passwords_allowed": user.agency is None or user.agency.passwords_allowed,
        "sso_linked": [sso.providers()[i.provider].label if i.provider in sso.providers()
                       else i.provider for i in user.sso_identities.order_by("linked_at")],
    })


def two_factor_setup(request):
    user = request.user
    if two_factor.is_on(user):
        return redirect("accounts:account")
    form = CodeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        codes = apply(form, lambda: two_factor.confirm_setup(request, form.cleaned_data["code"]))
        if codes:
            return render(request, "accounts/recovery_codes.html", {
                "page_title": "Two-step sign-in is on", "codes": codes, "first_time": True,
            })
    device = two_factor.pending_device(user)
    return render(request, "accounts/two_factor_setup.html", {
        "page_title": "Set up two-step sign-in", "form": form, "has_errors": bool(form.errors),
        "qr_svg": two_factor.qr_svg(device), "key": two_factor.key_for_typing(device),
        "required": two_factor.required_for(user),
        "back_url": "" if two_factor.required_for(user) else reverse("accounts:account"),
    })


def recovery_codes_new(request):
    form = forms.Form(_posted(request))
    if request.method == "POST":
        codes = apply(form, lambda: two_factor.new_recovery_codes(request))
        if codes:
            return render(request, "accounts/recovery_codes.html", {
                "page_title": "Your new recovery codes", "codes": codes, "first_time": False,
            })
    return form_page(request, form, title="Get new recovery codes",
                     back_url=reverse("accounts:account"), submit_text="Get new recovery codes",
                     intro="You will see 10 new recovery codes once. The codes you have now will "
                           "stop working.")


def two_factor_off(request):
    if not two_factor.is_on(request.user):
        return redirect("accounts:account")
    form = TurnOffForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        done = apply(form, lambda: _turn_off(request, form.cleaned_data["code"]))
        if done:
            messages.success(request, "Two-step sign-in is off. You will sign in with your "
                                      "password alone.")
            return redirect("accounts:account")
    return form_page(request, form, title="Turn off two-step sign-in",
                     back_url=reverse("accounts:account"), submit_text="Turn off",
                     intro="Anyone who learns your password will then be able to sign in as "
                           "you. To confirm, enter a security code.")


def _turn_off(request, code):
    try:
        two_factor.turn_off(request, code)
    except two_factor.Throttled:
        raise RuleBroken("Too many wrong codes in a row. Wait a few seconds, then try again.",
                         "code") from None
    return True
