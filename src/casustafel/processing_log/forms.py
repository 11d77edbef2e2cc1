"""Search form of the privacy officer's processing-log page."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from casustafel.subjects.validators import validate_bsn

from .models import LogUsePurpose
from .services import LogPurposeMissingError

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    """The purpose and the non-personal filters, also accepted in the query string (GET)."""

    #: Wet PGA art. 14 lid 2: the log is used for these purposes only; a query without one is refused.
    purpose = forms.ChoiceField(
        label=_("Doel van de raadpleging (art. 14 lid 2 Wet PGA)"),
        choices=LogUsePurpose.choices,
        widget=forms.RadioSelect,
        help_text=_("Het logboek mag alleen voor deze doelen worden gebruikt; uw keuze wordt vastgelegd."),
        error_messages={"required": LogPurposeMissingError.message, "invalid_choice": LogPurposeMissingError.message},
    )
    date_from = forms.DateField(label=_("Vanaf"), required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("Tot en met"), required=False, widget=DATE_WIDGET)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError(_("De begindatum ligt na de einddatum."))
        return data


class LogSearchForm(PeriodForm):
    """Search on a person, case or signal: only ever posted, so nothing personal is in a URL."""

    bsn = forms.CharField(
        label=_("Burgerservicenummer van de betrokkene"),
        required=False,
        max_length=9,
        validators=[validate_bsn],
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    case_reference = forms.CharField(label=_("Kenmerk casus"), required=False, max_length=20)
    signal_reference = forms.CharField(label=_("Kenmerk signaal"), required=False, max_length=20)

    def clean_bsn(self):
        return self.cleaned_data["bsn"].strip()

    def clean_case_reference(self):
        return self.cleaned_data["case_reference"].strip()

    def clean_signal_reference(self):
        return self.cleaned_data["signal_reference"].strip()
