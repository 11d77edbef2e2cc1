"""Filters and sorting of the signal, weighing and case lists (issue 12 item 5, ADR 0035).

The query string carries codes and ids only — a state, a phenomenon code, an organisation
or user id, dates, a column key — never a name or BSN (those are searched by POST). A list
filters and sorts the queryset its selector scoped; the database does both (indexes on
``registered_at`` and ``opened_at``), and the query count stays the same whatever the
number of rows (tests/test_lists.py).

Query parameters (Dutch, as ``pagina``):

==============  =============================================================  ===================
parameter       value                                                          lists
==============  =============================================================  ===================
``status``      a state code of the list's state machine                       all three
``fenomeen``    a phenomenon code (``signals.Phenomenon``)                     all three
``urgentie``    ``normaal`` / ``hoog`` / ``acuut``                             signals, weighings
``gemeente``    id of a gemeente organisation of the region (gemeente van      all three
                verblijf)
``regisseur``   id of a case director                                          cases
``van``/``tot`` first and last day (YYYY-MM-DD) registered / opened            all three
``sorteer``     a column key, ``-`` in front for descending                    all three
``pagina``      page number                                                    all three
==============  =============================================================  ===================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Case, Exists, IntegerField, OuterRef, QuerySet, Value, When
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from casustafel.access import policy
from casustafel.accounts.models import Organisation, OrganisationKind
from casustafel.cases import states as case_states
from casustafel.core.web import page_of
from casustafel.signals import states as signal_states
from casustafel.signals.models import Phenomenon, Urgency
from casustafel.weighing import states as weighing_states

SORT = "sorteer"


def _choices(pairs: Any) -> list[tuple[str, Any]]:
    return [("", _("Alle")), *pairs]


class _OptionsIterator(forms.models.ModelChoiceIterator):
    """The options of a filter in one plain SELECT. Django reads the options of a queryset
    without prefetches through a server-side cursor (``iterator()``: DECLARE, FETCH and CLOSE,
    each a round trip) — meant for huge choice lists, not for a region's handful of gemeenten
    or case directors (ADR 0055)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class _FilterChoiceField(forms.ModelChoiceField):
    iterator = _OptionsIterator


class ListFilterForm(forms.Form):
    """The filters every list shares; subclasses add their own. Unset fields do not filter."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    fenomeen = forms.ChoiceField(label=_("Fenomeen"), required=False, choices=_choices(Phenomenon.choices))
    gemeente = _FilterChoiceField(
        label=_("Gemeente van verblijf"), required=False, queryset=Organisation.objects.none(), empty_label=_("Alle")
    )
    van = forms.DateField(label=_("Vanaf"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    tot = forms.DateField(label=_("Tot en met"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    machine: Any = None

    def __init__(self, data, *, user) -> None:
        super().__init__(data)
        self.fields["status"].choices = _choices(self.machine.labels.items())
        self.fields["gemeente"].queryset = Organisation.objects.filter(
            region_id=user.organisation.region_id, kind=OrganisationKind.GEMEENTE
        ).order_by("name")

    def clean(self):
        data = super().clean()
        if data.get("van") and data.get("tot") and data["van"] > data["tot"]:
            self.add_error("tot", _("De einddatum ligt vóór de begindatum."))
        return data


class SignalFilterForm(ListFilterForm):
    machine = signal_states.SIGNAL_MACHINE
    urgentie = forms.ChoiceField(label=_("Urgentie"), required=False, choices=_choices(Urgency.choices))


class WeighingFilterForm(ListFilterForm):
    machine = weighing_states.WEIGHING_MACHINE
    urgentie = forms.ChoiceField(label=_("Urgentie"), required=False, choices=_choices(Urgency.choices))


class CaseFilterForm(ListFilterForm):
    machine = case_states.CASE_MACHINE
    regisseur = _FilterChoiceField(
        label=_("Casusregisseur"), required=False, queryset=Organisation.objects.none(), empty_label=_("Alle")
    )

    def __init__(self, data, *, user) -> None:
        super().__init__(data, user=user)
        self.fields["regisseur"].queryset = policy.case_director_candidates(user.organisation.region_id)
        self.fields["regisseur"].label_from_instance = lambda director: director.display_name


@dataclass(frozen=True)
class Sorting:
    """The sort order asked for in ``?sorteer=`` (a column key, ``-`` for descending)."""

    key: str
    descending: bool
    columns: dict[str, dict[str, str]]


def _sorting(request: HttpRequest, columns: dict[str, tuple[str, ...]], default: str) -> tuple[Sorting, list[str]]:
    asked = request.GET.get(SORT, "")
    if asked.lstrip("-") not in columns:
        asked = default
    key, descending = asked.lstrip("-"), asked.startswith("-")
    order = [f"-{field}" if descending else field for field in columns[key]]
    links = {}
    for column in columns:
        current = column == key
        links[column] = {
            # A click on the sorted column reverses it; on another column sorts it ascending.
            "next": (column if descending else f"-{column}") if current else column,
            "aria": ("descending" if descending else "ascending") if current else "",
        }
    return Sorting(key=key, descending=descending, columns=links), [*order, "-pk"]


def _urgency_rank(field: str = "urgency") -> Case:
    return Case(
        When(**{field: Urgency.ACUTE}, then=Value(3)),
        When(**{field: Urgency.HIGH}, then=Value(2)),
        default=Value(1),
        output_field=IntegerField(),
    )


def _period(queryset: QuerySet, data: dict, field: str) -> QuerySet:
    if data.get("van"):
        queryset = queryset.filter(**{f"{field}__date__gte": data["van"]})
    if data.get("tot"):
        queryset = queryset.filter(**{f"{field}__date__lte": data["tot"]})
    return queryset


def _listed(request: HttpRequest, form: ListFilterForm, queryset: QuerySet, apply, columns, default: str) -> tuple:
    valid = form.is_valid()
    # A filter that is not valid is left out of cleaned_data: ignored, and said so at the field.
    queryset = apply(queryset, form.cleaned_data)
    sorting, order = _sorting(request, columns, default)
    context = {"page": page_of(request, queryset.order_by(*order)), "filter_form": form, "sorting": sorting}
    return context, 200 if valid else 400


def _common(queryset: QuerySet, data: dict, *, period: str, subject: str = "subject__") -> QuerySet:
    if data.get("status"):
        queryset = queryset.filter(status=data["status"])
    if data.get("gemeente"):
        queryset = queryset.filter(**{f"{subject}municipality_organisation": data["gemeente"]})
    return _period(queryset, data, period)


def signals(request: HttpRequest, queryset: QuerySet) -> tuple[dict, int]:
    """The signal list: the most urgent first, then the newest (``-urgentie``)."""

    def apply(qs: QuerySet, data: dict) -> QuerySet:
        qs = _common(qs, data, period="registered_at")
        if data.get("fenomeen"):
            qs = qs.filter(phenomenon=data["fenomeen"])
        if data.get("urgentie"):
            qs = qs.filter(urgency=data["urgentie"])
        return qs.annotate(urgency_rank=_urgency_rank())

    columns = {
        "kenmerk": ("reference",),
        "fenomeen": ("phenomenon",),
        "urgentie": ("urgency_rank", "registered_at"),
        "status": ("status",),
        "geregistreerd": ("registered_at",),
    }
    return _listed(request, SignalFilterForm(request.GET, user=request.user), queryset, apply, columns, "-urgentie")


def weighings(request: HttpRequest, queryset: QuerySet) -> tuple[dict, int]:
    """The weighing list: those with an acute signal first, then the newest (``-urgentie``)."""
    model = queryset.model

    def apply(qs: QuerySet, data: dict) -> QuerySet:
        qs = _common(qs, data, period="opened_at")
        # Through the weighing's own signals, as a subquery: no join that would multiply rows.
        if data.get("fenomeen"):
            qs = qs.filter(pk__in=model.objects.filter(signals__phenomenon=data["fenomeen"]).values("pk"))
        if data.get("urgentie"):
            qs = qs.filter(pk__in=model.objects.filter(signals__urgency=data["urgentie"]).values("pk"))
        acute = model.objects.filter(pk=OuterRef("pk"), signals__urgency=Urgency.ACUTE)
        return qs.annotate(has_acute=Exists(acute))

    columns = {
        "kenmerk": ("reference",),
        "urgentie": ("has_acute", "opened_at"),
        "status": ("status",),
        "geopend": ("opened_at",),
    }
    return _listed(request, WeighingFilterForm(request.GET, user=request.user), queryset, apply, columns, "-urgentie")


def cases(request: HttpRequest, queryset: QuerySet) -> tuple[dict, int]:
    """The case list: the newest first (``-geopend``)."""
    model = queryset.model

    def apply(qs: QuerySet, data: dict) -> QuerySet:
        qs = _common(qs, data, period="opened_at")
        if data.get("fenomeen"):
            origin = model.objects.filter(origin_decision__weighing__signals__phenomenon=data["fenomeen"])
            qs = qs.filter(pk__in=origin.values("pk"))
        if data.get("regisseur"):
            qs = qs.filter(case_director=data["regisseur"])
        return qs

    columns = {
        "kenmerk": ("reference",),
        "status": ("status",),
        "regisseur": ("case_director__last_name", "case_director__username"),
        "geopend": ("opened_at",),
    }
    return _listed(request, CaseFilterForm(request.GET, user=request.user), queryset, apply, columns, "-geopend")
