from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token

from .forms import LoginForm

FAILED = _("Gebruikersnaam, wachtwoord of verificatiecode is onjuist.")


def locked_out(request, credentials=None, *args, **kwargs):
    form = LoginForm()
    message = _("Dit account is tijdelijk geblokkeerd na herhaalde mislukte inlogpogingen. Probeer het later opnieuw.")
    return render(request, "accounts/login.html", {"form": form, "error": message}, status=403)


@require_http_methods(["GET", "POST"])
def login_view(request):
    form = LoginForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = authenticate(request, username=data["username"], password=data["password"])
        device = match_token(user, data["otp_token"]) if user is not None else None
        if user is not None and device is not None and user.is_active:
            login(request, user)
            otp_login(request, device)
            target = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
                target = "web:dashboard"
            return redirect(target)
        if user is not None:
            # Password right, second factor wrong: counts as a failure for the lockout.
            user_login_failed.send(sender=__name__, credentials={"username": data["username"]}, request=request)
        error = FAILED
    elif request.method == "POST":
        error = _("Controleer de gemarkeerde velden.")
    status = 200 if error is None else 400
    return render(request, "accounts/login.html", {"form": form, "error": error}, status=status)


@require_http_methods(["POST"])
def logout_view(request):
    logout(request)
    return redirect("accounts:login")
