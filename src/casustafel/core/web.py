"""Plumbing shared by the domain apps' pages: paging, service errors on forms, common fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .errors import PolicyDenied
from .states import StateMachine

PAGE_SIZE = 25
TEXT_LIMIT = 10000
SHORT_TEXT_LIMIT = 2000
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def page_of(request: HttpRequest, queryset: QuerySet) -> Page:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("pagina"))


def status_filtered_page(request: HttpRequest, queryset: QuerySet, machine: StateMachine) -> dict:
    """A list page filtered on ``?status=`` (a state of ``machine``; anything else: no filter).

    Returns the template context of ``partials/status_filter.html`` and the page."""
    status = request.GET.get("status")
    if status in machine.labels:
        queryset = queryset.filter(status=status)
    return {"page": page_of(request, queryset), "status": status, "statuses": machine.labels.items()}


def apply_service_errors(form: forms.Form, error: ValidationError | PolicyDenied) -> None:
    """Attach a service's ValidationError to the form fields it names (others to the form);
    a disclosed refusal (``PolicyDenied``) becomes a message on the form."""
    if isinstance(error, PolicyDenied):
        form.add_error(None, str(error))
    elif hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def submitted(form: forms.Form, write: Callable[[dict], Any]) -> bool:
    """The posted-form shape of every page: validate ``form``, call the service ``write``
    with its cleaned data, and put a refused write's errors on the form. True when written."""
    if not form.is_valid():
        return False
    try:
        write(form.cleaned_data)
    except ValidationError as error:
        apply_service_errors(form, error)
        return False
    return True


class AgreementForm(forms.Form):
    """One of the three (gemeente, politie, OM) agrees or not, with a reason when not: the
    shape of every joint decision of the three (the eensluidende beoordeling, admitting a
    third party). Subclasses set the question and the two answers."""

    question = ""
    yes = ""
    no = ""
    reason_help = ""

    agrees = forms.TypedChoiceField(choices=(), coerce=lambda value: value == "1", widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Toelichting"), required=False, max_length=SHORT_TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agrees"].label = self.question
        self.fields["agrees"].choices = [("1", self.yes), ("0", self.no)]
        self.fields["reason"].help_text = self.reason_help


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Toelichting"), max_length=SHORT_TEXT_LIMIT, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
