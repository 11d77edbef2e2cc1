from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from casustafel.core.concurrency import VersionField

from .services import CORRECTABLE, REASON_LIMIT


class CorrectionForm(forms.Form):
    """The supplier corrects the content fields of its item and says why (art. 10 Wet PGA)."""

    reason = forms.CharField(
        label=_("Reden van de correctie"),
        max_length=REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Zichtbaar voor wie het gegeven ziet. De eerdere waarde wordt alleen voor het logboek bewaard."),
        error_messages={"required": _("Geef de reden van de correctie (art. 10 Wet PGA).")},
    )
    #: The version of the item the form showed (ADR 0052).
    version = VersionField()

    def __init__(self, *args, item, **kwargs):
        kwargs.setdefault("initial", {}).update({name: getattr(item, name) for name in CORRECTABLE[type(item)]})
        kwargs["initial"]["version"] = item.version
        super().__init__(*args, **kwargs)
        model_fields = forms.fields_for_model(type(item), fields=CORRECTABLE[type(item)])
        # The service decides what may be empty (and says so in Dutch); the form only bounds the length.
        for field in model_fields.values():
            field.required = False
        self.fields = {**model_fields, **self.fields}

    @property
    def changes(self) -> dict:
        return {name: self.cleaned_data.get(name, "") for name in self.fields if name not in ("reason", "version")}
