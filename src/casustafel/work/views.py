"""The notification preferences page (the work queue itself is the dashboard, in ``web``)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from casustafel.core.web import submitted

from . import notifications
from .forms import PreferencesForm
from .queue import available_kinds


@require_http_methods(["GET", "POST"])
def preferences(request):
    user = request.user
    sources = available_kinds(user)
    current = notifications.preferences_of(user)
    if request.method == "POST":
        form = PreferencesForm(request.POST, sources=sources)
        if submitted(
            form, lambda data: notifications.save_preferences(user, kinds=data["kinds"], delivery=data["delivery"])
        ):
            messages.success(request, _("Uw meldingsinstellingen zijn opgeslagen."))
            return redirect("work:preferences")
        status = 400
    else:
        form = PreferencesForm(sources=sources, initial={"kinds": current.kinds, "delivery": current.delivery})
        status = 200
    context = {"form": form, "mail_enabled": notifications.mail_enabled(), "has_email": bool(user.email)}
    return render(request, "work/preferences.html", context, status=status)
