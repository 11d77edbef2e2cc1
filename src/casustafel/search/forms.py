"""The one search box: a reference, a BSN, or a name with (optionally) a date of birth."""

from __future__ import annotations

import re
from datetime import date, datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from casustafel.core import identity

from .selectors import Criteria

REFERENCE = re.compile(r"^[A-Z]{3}-\d{4}-[A-Z0-9]{4,10}$")
DATE_FORMATS = ("%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d")


def _date(token: str) -> date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(token, fmt).date()
        except ValueError:
            continue
    return None


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Zoeken"),
        max_length=200,
        help_text=_("Een kenmerk (bijv. PGA-2026-7K3Q9X), een BSN, of een naam met geboortedatum (dd-mm-jjjj)."),
        error_messages={"required": _("Vul een kenmerk, BSN of naam in.")},
    )

    def clean_q(self) -> Criteria:
        text = " ".join(self.cleaned_data["q"].split())
        if REFERENCE.match(text.upper()):
            return Criteria(reference=text.upper())
        digits = text.replace(".", "").replace(" ", "")
        if digits.isascii() and digits.isdigit():
            if not identity.is_valid_bsn(digits):
                raise forms.ValidationError(_("Dit is geen geldig BSN (9 cijfers, elfproef) en geen kenmerk."))
            return Criteria(bsn=digits)
        words, born = [], None
        for token in text.split(" "):
            parsed = _date(token)
            if parsed is not None and born is None:
                born = parsed
            elif any(c.isdigit() for c in token) and any(c in "-/" for c in token):
                raise forms.ValidationError(
                    _("Schrijf de geboortedatum als dd-mm-jjjj; een kenmerk als PGA-2026-7K3Q9X.")
                )
            else:
                words.append(token)
        if sum(len(w) for w in words) < 2:
            raise forms.ValidationError(_("Vul ten minste twee letters van de naam in."))
        return Criteria(name_words=tuple(words), date_of_birth=born)
