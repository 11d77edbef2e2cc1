"""Forms of the annual report pages (Wet PGA art. 18)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from casustafel.accounts.models import Region
from casustafel.reporting.models import Redaction

from .sections import target_choices


class AnnualReportForm(forms.Form):
    """The year and the tables: the own table, or the own and others for a joint report (art. 18 lid 1)."""

    year = forms.IntegerField(
        label=_("Verslagjaar"),
        help_text=_("Een heel kalenderjaar, vanaf 2025 (de Wet PGA geldt sinds 1 juli 2025)."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    regions = forms.ModelMultipleChoiceField(
        label=_("Casustafels"),
        queryset=Region.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Uw eigen casustafel, en voor een gezamenlijk jaarverslag de andere casustafels; "
            "elke andere casustafel beslist zelf of zij meedoet."
        ),
        error_messages={"required": _("Kies de casustafel(s) waarover het verslag gaat.")},
    )


class LeaveOutForm(forms.Form):
    """Leave a section or a table out (art. 18 lid 1), with the reason the report shows."""

    target = forms.ChoiceField(label=_("Onderdeel"), choices=())
    reason = forms.CharField(
        label=_("Reden (wordt in het verslag getoond, zonder persoonsgegevens)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=Redaction._meta.get_field("reason").max_length,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", _("— kies —")), *target_choices()]
