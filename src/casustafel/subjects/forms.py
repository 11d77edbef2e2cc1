"""Forms of the cross-region (known elsewhere) pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from casustafel.core.web import SHORT_TEXT_LIMIT


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Antwoord (geen persoonsgegevens; bijvoorbeeld wie contact opneemt)"),
        max_length=SHORT_TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
