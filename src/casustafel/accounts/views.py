from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.signals import user_login_failed
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token

from casustafel.core.web import submitted

from . import drafts
from .forms import ConfidentialityForm, LoginForm
from .selectors import (
    acknowledgement_valid_until,
    confidentiality_due,
    confidentiality_text_in_force,
    designation_window,
    latest_acknowledgement,
)
from .services import acknowledge_confidentiality

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
            login(request, user)  # keeps the anonymous session's data, a kept draft included
            otp_login(request, device)
            if drafts.claim(request) is not None:
                return redirect("accounts:draft")
            return redirect(_next_or_dashboard(request))
        if user is not None:
            # Password right, second factor wrong: counts as a failure for the lockout.
            user_login_failed.send(sender=__name__, credentials={"username": data["username"]}, request=request)
        error = FAILED
    # A refused form shows the error summary and the messages at the fields (form_errors.html).
    status = 400 if error is not None or form.errors else 200
    context = {"form": form, "error": error, "draft_kept": drafts.pending(request)}
    return render(request, "accounts/login.html", context, status=status)


def _next_or_dashboard(request) -> str:
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "web:dashboard"
    return target


@require_http_methods(["POST"])
def logout_view(request):
    logout(request)
    return redirect("accounts:login")


@require_http_methods(["GET", "POST"])
def confidentiality_view(request):
    """Wet PGA art. 17: read the confidentiality text and acknowledge it when it is due.

    Every signed-in user may read it; only a user who must acknowledge (no duty of secrecy
    from elsewhere, no acknowledgement of this version within the year) sees the form.
    """
    due = confidentiality_due(request.user)
    if request.method == "POST" and due is None:
        return redirect(_next_or_dashboard(request))  # nothing to acknowledge
    form = None
    status = 200
    if due is not None:
        data = request.POST if request.method == "POST" else None
        form = ConfidentialityForm(data, initial={"version": due.version})
        if request.method == "POST":
            if submitted(form, lambda cleaned: acknowledge_confidentiality(request.user, version=cleaned["version"])):
                messages.success(request, _("U heeft de geheimhoudingsplicht erkend."))
                return redirect(_next_or_dashboard(request))
            status = 400
    latest = latest_acknowledgement(request.user)
    context = {
        "text": due or confidentiality_text_in_force(),
        "due": due,
        "form": form,
        "latest": latest,
        "latest_until": acknowledgement_valid_until(latest) if latest is not None else None,
        "renewal": due is not None and latest is not None and latest.text_id == due.pk,
        "new_version": due is not None and latest is not None and latest.text_id != due.pk,
    }
    return render(request, "accounts/confidentiality.html", context, status=status)


@require_http_methods(["GET"])
def no_designation_view(request):
    """Wet PGA art. 13 lid 1: explain that only designated persons have access (ADR 0029).

    The gate sends a signed-in user without a designation valid today here; a designated
    user who opens it is sent on to the work list.
    """
    if designation_window(request.user) is not None:
        return redirect("web:dashboard")
    return render(request, "accounts/no_designation.html", status=403)


@require_http_methods(["POST"])
def keep_alive_view(request):
    """Stay signed in (issue 12 item 9): the idle warning's button, clicked by the user. It
    renews the session now (other requests renew it at most once a
    ``SessionRenewalMiddleware`` interval) and does nothing else; the page never calls it by
    itself, so the 15-minute rule holds. Answers the seconds until the session ends again."""
    request.session.modified = True
    return JsonResponse({"idle_seconds": request.session.get_expiry_age()})


@require_http_methods(["GET", "POST"])
def draft_view(request):
    """The form kept when the session ended (ADR 0036): send it again to its page, or discard it."""
    if request.method == "POST":
        drafts.discard(request)
        messages.info(request, _("Het bewaarde formulier is verwijderd."))
        return redirect("web:dashboard")
    return render(request, "accounts/draft.html", {"draft": drafts.claim(request)})
