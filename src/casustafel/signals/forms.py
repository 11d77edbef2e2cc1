"""Intake form (signal registration). Identity validation is shared with the API (subjects.validators)."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from casustafel.core.web import DATE_WIDGET, TEXT_LIMIT
from casustafel.governance.forms import ProvenanceFieldsMixin
from casustafel.subjects.models import Gender
from casustafel.subjects.validators import validate_bsn, validate_date_of_birth, validate_not_future

from .models import Phenomenon, SourceType, Urgency


class IntakeForm(ProvenanceFieldsMixin, forms.Form):
    # Subject (betrokkene)
    given_names = forms.CharField(label=_("Voornamen"), max_length=200)
    family_name = forms.CharField(label=_("Achternaam"), max_length=200)
    date_of_birth = forms.DateField(label=_("Geboortedatum"), widget=DATE_WIDGET, validators=[validate_date_of_birth])
    gender = forms.ChoiceField(label=_("Geslacht"), choices=Gender.choices)
    municipality = forms.CharField(label=_("Woongemeente"), max_length=100)
    bsn = forms.CharField(
        label=_("BSN (optioneel)"),
        max_length=9,
        min_length=9,
        required=False,
        validators=[validate_bsn],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    # Signal
    source_type = forms.ChoiceField(label=_("Soort bron"), choices=SourceType.choices)
    source_description = forms.CharField(
        label=_("Bron (organisatie of functie, geen AIVD-bronnen)"), max_length=200, required=False
    )
    phenomenon = forms.ChoiceField(
        label=_("Fenomeen"),
        choices=Phenomenon.choices,
        help_text=_("Op grond van gedrag, nooit op grond van religie of herkomst."),
    )
    facts = forms.CharField(
        label=_("Waargenomen feiten"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea,
        help_text=_("Alleen feiten: wat is waargenomen, wanneer en door wie."),
    )
    opinions = forms.CharField(
        label=_("Meningen en duidingen"),
        max_length=TEXT_LIMIT,
        required=False,
        widget=forms.Textarea,
        help_text=_("Wordt vastgelegd als mening, niet als feit."),
    )
    counter_indications = forms.CharField(
        label=_("Contra-indicaties"), max_length=TEXT_LIMIT, required=False, widget=forms.Textarea
    )
    online_component = forms.BooleanField(label=_("Er is een online component"), required=False)
    urgency = forms.ChoiceField(label=_("Urgentie"), choices=Urgency.choices, initial=Urgency.NORMAL)
    observed_on = forms.DateField(
        label=_("Datum waarneming"), required=False, widget=DATE_WIDGET, validators=[validate_not_future]
    )
    submission = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    SUBJECT_FIELDS = ("given_names", "family_name", "date_of_birth", "gender", "municipality", "bsn")
    SIGNAL_FIELDS = (
        "source_type",
        "source_description",
        "phenomenon",
        "facts",
        "opinions",
        "counter_indications",
        "online_component",
        "urgency",
        "observed_on",
        *ProvenanceFieldsMixin.PROVENANCE_FIELDS,
    )
