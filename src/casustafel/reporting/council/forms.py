"""The choice of a council report: the area (scope), the quarters and the region's own text."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from casustafel.reporting.periods import PeriodForm

#: The longest policy text of the region in the qualitative section.
POLICY_TEXT_LIMIT = 1500

#: What would make the region's text about a person: a BSN-like number, a date, a reference of a
#: signal, weighing or case. The text is published with the figures, so it is refused outright.
_IDENTIFYING = (
    (re.compile(r"(?<!\d)\d{8,9}(?!\d)"), _("een nummer van 8 of 9 cijfers (zoals een BSN)")),
    (re.compile(r"\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b"), _("een datum")),
    (re.compile(r"\b[A-Z]{3}-\d{4}-[2-9A-Z]{6}\b"), _("een kenmerk van een signaal, weging of casus")),
)

#: The download formats of a report (the button's value).
FORMATS = ("pagina", "html", "pdf", "csv")


class CouncilReportForm(PeriodForm):
    scope = forms.ChoiceField(label=_("Gebied"), choices=())
    policy_text = forms.CharField(
        label=_("Toelichting van de regio (optioneel)"),
        required=False,
        max_length=POLICY_TEXT_LIMIT,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Een korte beleidsmatige duiding bij de cijfers, in het kwalitatieve deel. Zonder namen, "
            "geboortedata, kenmerken of andere gegevens over personen: de tekst wordt met de cijfers gepubliceerd."
        ),
    )
    format = forms.ChoiceField(choices=[(f, f) for f in FORMATS], required=False, widget=forms.HiddenInput)

    field_order = ["scope", "first", "last", "policy_text"]

    def __init__(self, *args, scopes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = [(scope.code, scope.label) for scope in scopes]
        self.scopes = {scope.code: scope for scope in scopes}

    def clean_scope(self):
        return self.scopes[self.cleaned_data["scope"]]

    def clean_policy_text(self):
        text = self.cleaned_data["policy_text"]
        found = [str(label) for pattern, label in _IDENTIFYING if pattern.search(text)]
        if found:
            raise forms.ValidationError(
                _("Haal %(what)s uit de toelichting: die wordt gepubliceerd en mag niets over een persoon zeggen.")
                % {"what": ", ".join(found)},
                code="identifying",
            )
        return text

    def clean_format(self):
        return self.cleaned_data.get("format") or "pagina"
