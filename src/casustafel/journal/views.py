"""Web view of the case journal (Dutch UI): the entries the user may see, and a form to add one."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from casustafel.access import policy
from casustafel.cases import selectors as case_selectors
from casustafel.core.web import apply_service_errors

from . import selectors, services
from .forms import JournalEntryForm


@require_http_methods(["GET", "POST"])
def journal(request, pk):
    case = case_selectors.get_case(request.user, pk)
    policy.require(request.user, policy.Action.CASE_PLAN_VIEW, case)
    may_write = policy.can(request.user, policy.Action.JOURNAL_WRITE, case)
    kind = request.user.organisation.kind if request.user.organisation_id else ""
    initial = {"corrects": request.GET.get("corrigeer")} if request.GET.get("corrigeer") else {}
    form = JournalEntryForm(request.POST or None, organisation_kind=kind, initial=initial) if may_write else None
    if request.method == "POST":
        policy.require(request.user, policy.Action.JOURNAL_WRITE, case)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.add_entry(
                    request.user, case=case, text=data["text"], corrects_id=data["corrects"], **form.provenance()
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("De update staat in het casusjournaal."))
                return redirect("journal:journal", pk=case.pk)
    entries = selectors.entries_for_case(request.user, case)
    correcting = None
    if form is not None:
        wanted = str(form.data.get("corrects") if form.is_bound else initial.get("corrects"))
        correcting = next((e for e in entries if str(e.pk) == wanted and e.may_correct), None)
    return TemplateResponse(
        request,
        "journal/journal.html",
        {"case": case, "entries": entries, "form": form, "correcting": correcting},
        status=400 if request.method == "POST" else 200,
    )
