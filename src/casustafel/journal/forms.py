"""Web form of the case journal; the service decides, the form only parses."""

from django import forms
from django.utils.translation import gettext_lazy as _

from casustafel.governance.forms import ProvenanceFieldsMixin
from casustafel.governance.models import DataCategory

from .models import TEXT_LIMIT


class JournalEntryForm(ProvenanceFieldsMixin, forms.Form):
    text = forms.CharField(
        label=_("Update voor het casusjournaal"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Alleen wat de andere deelnemers nodig hebben voor de aanpak."),
    )
    corrects = forms.UUIDField(widget=forms.HiddenInput, required=False)

    field_order = ["text", "legal_basis", "data_category", "classification", "visibility"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["data_category"].initial = DataCategory.PLAN_OF_ACTION
