"""The public meldpunt's forms (no JavaScript needed) and the functional admin's page form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from casustafel.core.concurrency import VersionField

from .models import ABOUT_LIMIT, ADDITION_LIMIT, CONTACT_LIMIT, INTRO_LIMIT, NAME_LIMIT, WHAT_LIMIT, Relation

TOO_LONG = _("Dit veld mag maximaal %(limit_value)d tekens bevatten (nu %(show_value)d).")


def _text(label, limit, *, required=False, textarea=False, help_text="", autocomplete="off"):
    attrs = {"autocomplete": autocomplete, "maxlength": str(limit)}
    if textarea:
        attrs["rows"] = "6"
    return forms.CharField(
        label=label,
        max_length=limit,
        required=required,
        help_text=help_text,
        strip=True,
        widget=forms.Textarea(attrs=attrs) if textarea else forms.TextInput(attrs=attrs),
        error_messages={"max_length": TOO_LONG, "required": _("Vul dit veld in.")},
    )


class MeldingForm(forms.Form):
    """A melding of art. 5 lid 2 Wet PGA: what was seen, about whom as far as known, who reports."""

    gemeente = forms.ChoiceField(
        label=_("Gemeente waar de persoon woont of verblijft"),
        help_text=_("Uw melding gaat naar de burgemeester van deze gemeente."),
        error_messages={"required": _("Kies een gemeente."), "invalid_choice": _("Kies een gemeente uit de lijst.")},
    )
    what = _text(
        _("Wat heeft u gezien of gehoord?"),
        WHAT_LIMIT,
        required=True,
        textarea=True,
        help_text=_("Beschrijf wat er gebeurde, wanneer en waar. Schrijf op wat u zelf zag of hoorde."),
    )
    about_name = _text(_("Naam van de persoon (als u die weet)"), NAME_LIMIT)
    about_age = _text(_("Leeftijd of geboortedatum (als u die weet)"), 40)
    about_place = _text(_("Woonplaats of wijk (als u die weet)"), NAME_LIMIT)
    about_other = _text(
        _("Wat weet u verder over de persoon? (niet verplicht)"),
        ABOUT_LIMIT,
        textarea=True,
        help_text=_("Bijvoorbeeld school, werk of online accounts."),
    )
    relation = forms.ChoiceField(
        label=_("Wie bent u?"),
        choices=Relation.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Kies wie u bent.")},
    )
    contact = forms.ChoiceField(
        label=_("Mogen wij contact met u opnemen?"),
        choices=[("yes", _("Ja, u mag contact met mij opnemen")), ("anonymous", _("Nee, ik meld anoniem"))],
        widget=forms.RadioSelect,
        help_text=_("Anoniem melden kan. Dan kunnen wij u geen vragen stellen over uw melding."),
        error_messages={"required": _("Kies of wij contact met u mogen opnemen of dat u anoniem meldt.")},
    )
    reporter_name = _text(_("Uw naam"), NAME_LIMIT, autocomplete="name")
    reporter_contact = _text(
        _("Uw telefoonnummer of e-mailadres"),
        CONTACT_LIMIT,
        autocomplete="email",
        help_text=_("Alleen invullen als wij contact met u mogen opnemen."),
    )
    #: A field people never see (hidden by the stylesheet): a bot that fills it gets the ordinary
    #: confirmation and nothing is stored.
    website = forms.CharField(
        label=_("Laat dit veld leeg"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    HONEYPOT = "website"

    def __init__(self, *args, gemeenten, **kwargs):
        super().__init__(*args, **kwargs)
        self.gemeenten = {str(org.pk): org for org in gemeenten}
        choices = [(pk, org.name) for pk, org in self.gemeenten.items()]
        self.fields["gemeente"].choices = choices if len(choices) == 1 else [("", _("— kies —")), *choices]

    @property
    def visible_field_names(self):
        return [name for name in self.fields if name != self.HONEYPOT]

    def clean(self):
        data = super().clean()
        if data.get("contact") == "yes" and not data.get("reporter_contact") and "reporter_contact" not in self.errors:
            self.add_error(
                "reporter_contact", _("Vul uw telefoonnummer of e-mailadres in, of kies dat u anoniem meldt.")
            )
        if data.get("contact") == "anonymous":
            for field in ("reporter_name", "reporter_contact"):
                if data.get(field):
                    self.add_error(field, _("U meldt anoniem: laat uw naam en contactgegevens leeg."))
        if data.get("gemeente") in self.gemeenten:
            data["organisation"] = self.gemeenten[data["gemeente"]]
        return data


class FollowUpForm(forms.Form):
    """Add information to one's melding with its reference and secret code (nothing is shown back)."""

    reference = _text(_("Kenmerk van uw melding"), 20, required=True, help_text=_("Bijvoorbeeld MLD-2026-7K3Q9X."))
    code = _text(
        _("Geheime code"), 40, required=True, help_text=_("De code die u na het melden kreeg, met of zonder streepjes.")
    )
    text = _text(_("Wat wilt u aanvullen?"), ADDITION_LIMIT, required=True, textarea=True)
    website = MeldingForm.base_fields["website"]

    HONEYPOT = "website"


class GemeentePageForm(forms.Form):
    code = forms.SlugField(
        label=_("Code in het webadres"),
        max_length=40,
        help_text=_("Kleine letters, cijfers en koppeltekens, bijvoorbeeld ‘lindeveld’. Geen persoonsgegevens."),
    )
    intro_text = forms.CharField(
        label=_("Introductietekst"), max_length=INTRO_LIMIT, required=False, widget=forms.Textarea(attrs={"rows": "5"})
    )
    contact_details = forms.CharField(
        label=_("Contactgegevens van het meldpunt"),
        max_length=INTRO_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": "4"}),
        help_text=_("Bijvoorbeeld het telefoonnummer en de openingstijden van het meldpunt van de gemeente."),
    )
    version = VersionField()

    def __init__(self, *args, taken_codes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.taken_codes = set(taken_codes)

    def clean_code(self):
        code = self.cleaned_data["code"].lower()
        if code in self.taken_codes:
            raise forms.ValidationError(_("Deze code gebruikt een andere gemeente van de regio al."))
        return code
