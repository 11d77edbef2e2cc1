"""The search page (ADR 0035). The terms travel in a POST body (with CSRF), never in the URL:
a name or BSN in a query string ends up in access logs and browser history."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from casustafel.access import policy

from . import selectors, services
from .forms import SearchForm


@require_http_methods(["GET", "POST"])
def search(request):
    policy.require(request.user, policy.Action.SEARCH)
    if request.method == "GET":
        return render(request, "search/search.html", {"form": SearchForm()})
    form = SearchForm(request.POST)
    if not form.is_valid():
        return render(request, "search/search.html", {"form": form}, status=400)
    criteria = form.cleaned_data["q"]
    results = selectors.search(request.user, criteria)
    services.record_search(request.user, criteria=criteria.kinds, found=results.all())
    identity_visible = {
        case.pk for case in results.cases if policy.can(request.user, policy.Action.CASE_IDENTITY_VIEW, case)
    }
    return render(
        request,
        "search/search.html",
        {"form": form, "results": results, "searched": True, "identity_visible": identity_visible},
    )
