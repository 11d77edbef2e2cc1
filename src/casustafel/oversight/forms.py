"""Forms of the lawfulness advisory committee's pages (Wet PGA art. 15)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class AdviceForm(forms.Form):
    subject_line = forms.CharField(label=_("Onderwerp"), max_length=200)
    text = forms.CharField(
        label=_("Advies of voorstel aan het casusoverleg"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Noem geen namen of casusinhoud; verwijs zo nodig naar een casuskenmerk."),
    )


class AdviceResponseForm(forms.Form):
    response = forms.CharField(
        label=_("Reactie van het casusoverleg"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
