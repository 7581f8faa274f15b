from django.contrib.auth import logout
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from thrive.core.fields import SpecificMessagesMixin


class SignInForm(SpecificMessagesMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is not active. Ask your agency administrator.",
    }


class SignInView(LoginView):
    template_name = "accounts/sign_in.html"
    form_class = SignInForm
    redirect_authenticated_user = True


@require_POST
def sign_out(request):
    logout(request)
    return redirect("accounts:sign-in")


def locked_out(request, credentials, *args, **kwargs):
    """Shown by django-axes after too many failed sign-ins for one username."""
    return render(request, "accounts/locked_out.html", status=429)
