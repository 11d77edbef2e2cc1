from django import forms
from django.utils.translation import gettext_lazy as _


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Gebruikersnaam"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Wachtwoord"),
        max_length=256,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    otp_token = forms.RegexField(
        label=_("Verificatiecode (6 cijfers uit uw authenticator-app)"),
        regex=r"^\d{6}$",
        error_messages={"invalid": _("Vul de zes cijfers van uw verificatiecode in.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ConfidentialityForm(forms.Form):
    """Wet PGA art. 17: the user confirms the confidentiality duty of the text version shown."""

    version = forms.IntegerField(min_value=1, max_value=1_000_000, widget=forms.HiddenInput)
    agree = forms.BooleanField(
        label=_("Ik heb de tekst gelezen en houd de persoonsgegevens geheim zoals artikel 17 Wet PGA vereist."),
        error_messages={"required": _("Vink aan dat u de geheimhoudingsplicht erkent.")},
    )
