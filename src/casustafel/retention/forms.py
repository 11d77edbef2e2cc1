"""Forms of the retention pages: the necessity review (art. 9 Wet PGA)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from casustafel.core.web import SHORT_TEXT_LIMIT

from .models import NecessityOutcome


class NecessityReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Uitkomst van de noodzaaktoets"), choices=NecessityOutcome.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Motivering (geen persoonsgegevens)"),
        max_length=SHORT_TEXT_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Verplicht bij ‘nog noodzakelijk’."),
    )
