"""Correction pages (art. 10 Wet PGA): the supplier's "Corrigeren" form for a signal and for
its own contribution, and marking a melding handled. Reads through the signal and weighing
selectors (policy + log), writes through ``corrections.services``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from casustafel.access import policy
from casustafel.core.concurrency import StaleVersion, refuse_stale
from casustafel.core.web import submitted
from casustafel.signals import selectors as signal_selectors

from . import selectors, services
from .forms import CorrectionForm


def _correct(request, item, *, back, title):
    # The form is offered to the supplier's people only; anyone else: "not found" (logged).
    policy.require(request.user, policy.Action.ITEM_CORRECT, item)
    form = CorrectionForm(request.POST or None, item=item)
    if request.method == "POST":
        try:
            if submitted(
                form,
                lambda data: services.correct_item(
                    request.user,
                    item=item,
                    changes=form.changes,
                    reason=data["reason"],
                    expected_version=data["version"],
                ),
            ):
                messages.success(request, _("De correctie is vastgelegd; uw organisatie heeft een melding gekregen."))
                return redirect(back)
            status = 400
        except StaleVersion as stale:
            status = refuse_stale(form, stale, {f: getattr(stale.obj, f) for f in form.changes})
    else:
        status = 200
    return render(request, "corrections/correct.html", {"form": form, "back": back, "title": title}, status=status)


@require_http_methods(["GET", "POST"])
def signal_correct(request, pk):
    signal = signal_selectors.get_signal(request.user, pk)
    back = reverse("signals:signal_detail", kwargs={"pk": signal.pk})
    return _correct(request, signal, back=back, title=_("Signaal %(ref)s corrigeren") % {"ref": signal.reference})


@require_http_methods(["GET", "POST"])
def contribution_correct(request, pk):
    contribution = selectors.get_contribution(request.user, pk)
    back = reverse("weighing:weighing_detail", kwargs={"pk": contribution.weighing_id})
    return _correct(request, contribution, back=back, title=_("Inbreng corrigeren"))


@require_POST
def notice_done(request, pk):
    notice = selectors.get_notice(request.user, pk)
    try:
        services.mark_notice_done(request.user, notice=notice)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("web:dashboard")
    messages.success(request, _("De melding is afgehandeld."))
    return redirect("web:dashboard")
