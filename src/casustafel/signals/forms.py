"""Intake form (signal registration). Identity validation is shared with the API (subjects.validators)."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from casustafel.core.web import DATE_WIDGET, TEXT_LIMIT
from casustafel.governance.forms import ProvenanceFieldsMixin
from casustafel.subjects.models import Gender, SubjectKind
from casustafel.subjects.validators import (
    subject_kind_errors,
    validate_bsn,
    validate_date_of_birth,
    validate_kvk_number,
    validate_not_future,
    validate_rsin,
)

from .models import Addressee, IntakeRoute, Phenomenon, ReporterKind, SourceType, Urgency, default_addressee

NUMERIC = {"inputmode": "numeric", "autocomplete": "off"}


class IntakeForm(ProvenanceFieldsMixin, forms.Form):
    # The way in (Wet PGA art. 5 lid 1–2)
    intake_route = forms.ChoiceField(
        label=_("Soort binnenkomst"),
        choices=IntakeRoute.choices,
        initial=IntakeRoute.REFERRAL,
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "Aanmelding: uw organisatie meldt als deelnemer aan. Melding: iemand anders (burger, "
            "professional of anoniem) heeft het gemeld."
        ),
    )
    addressed_to = forms.ChoiceField(label=_("Gericht aan"), choices=Addressee.choices, required=False)
    reporter_kind = forms.ChoiceField(
        label=_("Melder (alleen bij een melding)"), choices=[("", _("— kies —")), *ReporterKind.choices], required=False
    )
    reporter_name = forms.CharField(label=_("Naam melder (optioneel)"), max_length=200, required=False)
    reporter_contact = forms.CharField(
        label=_("Contactgegevens melder (optioneel)"),
        max_length=300,
        required=False,
        help_text=_("Niet bij een anonieme melding."),
    )
    # Subject (betrokkene): a natural person or a legal person (art. 2 lid 1)
    kind = forms.ChoiceField(
        label=_("Soort betrokkene"),
        choices=SubjectKind.choices,
        initial=SubjectKind.NATURAL_PERSON,
        required=False,
        widget=forms.RadioSelect,
    )
    given_names = forms.CharField(label=_("Voornamen"), max_length=200, required=False)
    family_name = forms.CharField(label=_("Achternaam"), max_length=200, required=False)
    date_of_birth = forms.DateField(
        label=_("Geboortedatum"), widget=DATE_WIDGET, validators=[validate_date_of_birth], required=False
    )
    gender = forms.ChoiceField(label=_("Geslacht"), choices=[("", _("— kies —")), *Gender.choices], required=False)
    legal_name = forms.CharField(label=_("Naam organisatie"), max_length=200, required=False)
    kvk_number = forms.CharField(
        label=_("KvK-nummer (optioneel)"),
        max_length=8,
        required=False,
        validators=[validate_kvk_number],
        widget=forms.TextInput(attrs=NUMERIC),
    )
    rsin = forms.CharField(
        label=_("RSIN (optioneel)"),
        max_length=9,
        required=False,
        validators=[validate_rsin],
        widget=forms.TextInput(attrs=NUMERIC),
    )
    establishment_place = forms.CharField(label=_("Plaats van vestiging"), max_length=100, required=False)
    municipality = forms.CharField(
        label=_("Gemeente van verblijf"),
        max_length=100,
        help_text=_(
            "Waar de betrokkene verblijft of het laatst verbleef; voor een organisatie: waar die gevestigd is."
        ),
    )
    bsn = forms.CharField(
        label=_("BSN (optioneel)"),
        max_length=9,
        min_length=9,
        required=False,
        validators=[validate_bsn],
        widget=forms.TextInput(attrs=NUMERIC),
    )
    # Signal
    source_type = forms.ChoiceField(label=_("Soort bron"), choices=[("", _("— kies —")), *SourceType.choices])
    source_description = forms.CharField(
        label=_("Bron (organisatie of functie, geen AIVD-bronnen)"), max_length=200, required=False
    )
    phenomenon = forms.ChoiceField(
        label=_("Fenomeen"),
        # No phenomenon pre-selected: the user chooses one, "Gemengd / onduidelijk" included.
        choices=[("", _("— kies —")), *Phenomenon.choices],
        help_text=_(
            "Op grond van gedrag, nooit op grond van religie of herkomst. Kies ‘Gemengd / onduidelijk’ als het "
            "(nog) niet duidelijk is."
        ),
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

    SUBJECT_FIELDS = (
        "kind",
        "given_names",
        "family_name",
        "date_of_birth",
        "gender",
        "municipality",
        "bsn",
        "legal_name",
        "kvk_number",
        "rsin",
        "establishment_place",
    )
    SIGNAL_FIELDS = (
        "intake_route",
        "addressed_to",
        "reporter_kind",
        "reporter_name",
        "reporter_contact",
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

    def __init__(self, *args, organisation_kind: str | None = None, **kwargs):
        super().__init__(*args, organisation_kind=organisation_kind, **kwargs)
        if organisation_kind:
            self.fields["addressed_to"].initial = default_addressee(organisation_kind)

    def clean(self):
        data = super().clean()
        # Unsaid (a client without these fields): a natural person, an aanmelding by the
        # user's organisation, addressed to that organisation's side of the three.
        data["kind"] = data.get("kind") or SubjectKind.NATURAL_PERSON
        data["intake_route"] = data.get("intake_route") or IntakeRoute.REFERRAL
        for field, message in subject_kind_errors(data).items():
            if field not in self.errors:
                self.add_error(field, message)
        return data
