from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Delivery


class PreferencesForm(forms.Form):
    """Opt in per kind of work (only the kinds the user's role can get); immediate or a digest."""

    kinds = forms.MultipleChoiceField(
        label=_("Stuur mij een e-mail over"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Niets aangevinkt: geen e-mail. Een e-mail bevat alleen het soort taak, een kenmerk en een link."),
    )
    delivery = forms.ChoiceField(
        label=_("Hoe vaak"), choices=Delivery.choices, widget=forms.RadioSelect, initial=Delivery.IMMEDIATE
    )

    def __init__(self, *args, sources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kinds"].choices = [(s.kind, s.label) for s in sources]
