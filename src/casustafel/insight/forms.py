"""The choices of the insight pages: area, period (whole quarters, ``reporting.periods``) and,
for the recognition monitor, the grouping. Query parameters carry codes only."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casustafel.reporting.periods import PeriodForm, Quarter
from casustafel.reporting.scope import REGION, scopes_for

from . import facts


class InsightForm(PeriodForm):
    """Area and period, always bound: without a query string, the user's region from the first
    quarter of this year up to the current one (:meth:`defaults`)."""

    gebied = forms.ChoiceField(
        label=_("Gebied"), error_messages={"invalid_choice": _("U mag over dit gebied niet rapporteren.")}
    )
    field_order = ["gebied", "first", "last"]

    def __init__(self, data, *, user, today: date | None = None):
        super().__init__(data, today=today)
        self.scopes = {scope.code: scope for scope in scopes_for(user)}
        self.fields["gebied"].choices = [(code, scope.label) for code, scope in self.scopes.items()]

    @classmethod
    def defaults(cls, user, today: date | None = None) -> dict:
        current = Quarter.of(today or timezone.localdate())
        region = next((scope.code for scope in scopes_for(user) if scope.kind == REGION), "")
        return {"gebied": region, "first": Quarter(current.year, 1).code, "last": current.code}

    def clean(self):
        data = super().clean()
        if data.get("gebied") in self.scopes:
            data["scope"] = self.scopes[data["gebied"]]
        return data


class RecognitionForm(InsightForm):
    indeling = forms.ChoiceField(
        label=_("Indeling"), choices=[(code, fact.dims[0].label) for code, fact in facts.RECOGNITION.items()]
    )
    field_order = ["gebied", "indeling", "first", "last"]

    @classmethod
    def defaults(cls, user, today: date | None = None) -> dict:
        return {**super().defaults(user, today), "indeling": facts.PHENOMENON.code}
