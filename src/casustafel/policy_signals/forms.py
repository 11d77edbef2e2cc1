"""Web forms of policy signals; the service decides, the forms only parse."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import categories
from .models import DESCRIPTION_LIMIT, RESPONSE_LIMIT, State

CHOOSE = [("", _("— kies —"))]


class RaiseForm(forms.Form):
    category = forms.ChoiceField(label=_("Categorie"), choices=())
    description = forms.CharField(
        label=_("Omschrijving van het knelpunt"),
        max_length=DESCRIPTION_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Beschrijf het knelpunt voor beleid zonder persoonsgegevens: geen namen, BSN, geboortedata of "
            "andere gegevens waaraan een betrokkene te herkennen is. Het signaal wordt niet aan de casus "
            "gekoppeld."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = CHOOSE + [(c, _(label)) for c, label in categories.current().categories]


class HandleForm(forms.Form):
    target = forms.ChoiceField(
        label=_("Nieuwe stand"), choices=CHOOSE + [(s, label) for s, label in State.choices if s != State.RAISED]
    )
    response = forms.CharField(
        label=_("Antwoord"),
        required=False,
        max_length=RESPONSE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Nodig bij “Beantwoord”; zonder persoonsgegevens."),
    )
