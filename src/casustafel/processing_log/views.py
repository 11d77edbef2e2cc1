"""The privacy officer's processing-log page (/logboek/): who processed what, when.

Every query names its purpose (Wet PGA art. 14 lid 2) and is itself logged with it; the
page without one shows only the form, a query without one is a form error (400). GET shows
the region's log for the chosen purpose, optionally for a period (purpose and dates are not
personal data); a search on a person (BSN), case or signal is POSTed, so it never appears
in a URL, access log or browser history. Every other role gets "not found".
"""

from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from casustafel.access import policy

from . import selectors
from .forms import LogSearchForm, PeriodForm
from .services import LogPurposeMissingError

PAGE_SIZE = 50


@never_cache
@require_http_methods(["GET", "POST"])
def logbook(request):
    policy.require(request.user, policy.Action.PROCESSING_LOG_VIEW)
    if request.method == "POST":
        form = LogSearchForm(request.POST)
        page_number = request.POST.get("pagina")
    else:
        form = PeriodForm(request.GET if request.GET.keys() & set(PeriodForm.base_fields) else None)
        page_number = request.GET.get("pagina")
    context = {"page": None, "rows": [], "not_found": [], "searched": request.method == "POST"}
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
    elif form.is_bound:
        data = form.cleaned_data
        result = selectors.search(
            request.user,
            selectors.Criteria(
                purpose=data.get("purpose", ""),
                date_from=data.get("date_from"),
                date_to=data.get("date_to"),
                bsn=data.get("bsn", ""),
                case_reference=data.get("case_reference", ""),
                signal_reference=data.get("signal_reference", ""),
            ),
        )
        page = Paginator(result.entries, PAGE_SIZE).get_page(page_number)
        context.update(page=page, rows=selectors.describe(request.user, page.object_list), not_found=result.not_found)
        context["purpose"] = data.get("purpose", "")
    # The form shown is always the (posted) search form; a GET's period pre-fills it.
    if request.method == "POST":
        context["form"] = form
    else:
        context["form"] = LogSearchForm(initial=form.cleaned_data if status == 200 and form.is_bound else None)
        context["period_errors"] = form.errors if status == 400 else None
        context["period_query"] = (
            urlencode({k: form.data[k] for k in PeriodForm.base_fields if form.data.get(k)})
            if status == 200 and form.is_bound
            else ""
        )
    return render(request, "processing_log/logbook.html", context, status=status)


@never_cache
@require_GET
def entry_proof(request, pk):
    """JSON download: one row's inclusion proof against the newest signed tree head (ADR 0048);
    ``?doel=`` names the purpose of the consultation (art. 14 lid 2), 400 without one."""
    try:
        proof = selectors.entry_proof(request.user, pk, purpose=request.GET.get("doel", ""))
    except LogPurposeMissingError as error:
        return JsonResponse({"detail": str(error)}, status=400)
    if proof is None:
        return JsonResponse(
            {"detail": "Deze logregel is nog niet verzegeld; probeer het over enkele seconden opnieuw."}, status=409
        )
    response = JsonResponse(proof, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="logboek-bewijs-{int(pk)}.json"'
    return response
