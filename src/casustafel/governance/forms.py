"""Form pieces for provenance (the sharing guide) and the governance pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from casustafel.access.policy import Visibility
from casustafel.accounts.models import OrganisationKind, User

from .models import Classification, DataCategory, InformingOutcome, LegalBasisUse, Objection, WithholdingReason
from .selectors import available_bases, sharing_guide

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProvenanceFieldsMixin(forms.Form):
    """Legal basis, classification and visibility, with the choices of the user's organisation kind.

    Pass ``organisation_kind`` to the form. The service decides; the form only guides.
    """

    legal_basis = forms.ChoiceField(
        label=_("Grondslag voor het delen"),
        choices=(),
        help_text=_(
            "Alleen de grondslagen die voor uw soort organisatie beschikbaar zijn. Zonder grondslag "
            "wordt niets gedeeld."
        ),
    )
    data_category = forms.ChoiceField(
        label=_("Categorie persoonsgegevens (art. 4 Wet PGA)"),
        choices=DataCategory.choices,
        initial=DataCategory.SIGNALS,
        # Not sent (an older client): a signal or contribution is a description of signals (c).
        required=False,
        help_text=_(
            "Gegevens over personen met wie betrokkene een sociale relatie onderhoudt (h) zijn "
            "alleen zichtbaar voor de kernpartners, of voor uw organisatie en de burgemeester."
        ),
    )
    # A plain field with the permitted choices as its widget: a special category the law does
    # not permit (art. 8) reaches the service, which refuses it by name.
    classification = forms.CharField(
        label=_("Classificatie van de gegevens (art. 8 Wet PGA)"),
        max_length=30,
        initial=Classification.ORDINARY,
        widget=forms.Select(choices=Classification.choices),
    )
    visibility = forms.ChoiceField(
        label=_("Wie mag de inhoud zien?"),
        choices=Visibility.choices,
        initial=Visibility.ALL_PARTICIPANTS,
        widget=forms.RadioSelect,
    )

    PROVENANCE_FIELDS = ("legal_basis", "data_category", "classification", "visibility")

    def __init__(self, *args, organisation_kind: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.guide = sharing_guide(organisation_kind or "")
        self.fields["legal_basis"].choices = [("", "—")] + [(b.code, str(b)) for b in self.guide["bases"]]
        self.fields["classification"].widget.choices = [
            (c["value"], c["label"]) for c in self.guide["classifications"] if c["available"]
        ]
        if self.guide["data_categories"]:
            self.fields["data_category"].choices = [(c["value"], c["label"]) for c in self.guide["data_categories"]]

    def provenance(self) -> dict:
        values = {name: self.cleaned_data[name] for name in self.PROVENANCE_FIELDS}
        values["data_category"] = values["data_category"] or DataCategory.SIGNALS
        return values


class WithheldForm(forms.Form):
    """That your organisation withholds data for weighty reasons (art. 4 aanhef): no content."""

    data_category = forms.ChoiceField(
        label=_("Categorie die u achterhoudt (art. 4)"), choices=[("", _("— kies —")), *DataCategory.choices]
    )
    reason = forms.ChoiceField(label=_("Zwaarwegende reden"), choices=[("", _("— kies —")), *WithholdingReason.choices])
    motivation = forms.CharField(
        label=_("Korte motivering (geen persoonsgegevens, geen inhoud)"),
        max_length=300,
        required=False,
        help_text=_("Verplicht bij ‘andere zwaarwegende reden’."),
    )


def participation_choices(kind: str = "nctv"):
    return [("", "—")] + [(b.code, str(b)) for b in available_bases(kind, LegalBasisUse.PARTICIPATION)]


class RestrictedDocumentForm(forms.Form):
    case_reference = forms.CharField(label=_("Kenmerk van de casus (optioneel)"), max_length=20, required=False)
    given_names = forms.CharField(label=_("Voornamen (als er geen casus is)"), max_length=200, required=False)
    family_name = forms.CharField(label=_("Achternaam (als er geen casus is)"), max_length=200, required=False)
    date_of_birth = forms.DateField(label=_("Geboortedatum (als er geen casus is)"), required=False, widget=DATE_WIDGET)
    received_at = forms.DateField(label=_("Ontvangen op"), widget=DATE_WIDGET)
    content = forms.CharField(
        label=_("Inhoud van het ambtsbericht (geen bronnen vastleggen)"), max_length=20000, widget=forms.Textarea
    )


class ReleaseSummaryForm(forms.Form):
    released_summary = forms.CharField(
        label=_("Samenvatting voor de casustafel"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


class DesignationForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Medewerker"), queryset=None)
    designated = forms.TypedChoiceField(
        label=_("Handeling"),
        coerce=lambda v: v == "1",
        choices=[("", _("— kies —")), ("1", _("Aanwijzen als lezer")), ("0", _("Aanwijzing intrekken"))],
    )

    def __init__(self, *args, region_id=None, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["user"].queryset = User.objects.filter(
            organisation__region_id=region_id, organisation__kind=OrganisationKind.GEMEENTE, is_active=True
        )
        self.fields["user"].label_from_instance = lambda u: f"{u.display_name} ({u.organisation})"


class InformingDecisionForm(forms.Form):
    """A decision about informing the person (Wet PGA art. 11); the grounds are those of art. 41
    lid 1 UAVG valid today (data). What is required for which outcome, the service decides."""

    outcome = forms.ChoiceField(
        label=_("Besluit over het informeren van de betrokkene"),
        widget=forms.RadioSelect,
        choices=InformingOutcome.choices,
    )
    informed_on = forms.DateField(label=_("Geïnformeerd op"), required=False, widget=DATE_WIDGET)
    ground = forms.ChoiceField(
        label=_("Belang dat niet of later informeren waarborgt (art. 41 lid 1 UAVG)"), required=False, choices=()
    )
    motivation = forms.CharField(
        label=_("Schriftelijke motivering ten behoeve van het casusoverleg (art. 11 Wet PGA)"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Waarom is niet of later informeren noodzakelijk en evenredig voor dit belang?"),
    )
    review_on = forms.DateField(label=_("Heroverwegen op"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, ground_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ground"].choices = [("", _("— kies bij niet of later informeren —")), *ground_choices]


class ObjectionForm(forms.Form):
    received_on = forms.DateField(label=_("Bezwaar ontvangen op"), widget=DATE_WIDGET)
    summary = forms.CharField(
        label=_("Inhoud van het bezwaar"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ObjectionHandleForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Uitkomst"), choices=[("", _("— kies —")), *Objection.Outcome.choices])
    outcome_rationale = forms.CharField(
        label=_("Motivering"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AccessRequestForm(forms.Form):
    given_names = forms.CharField(label=_("Voornamen"), max_length=200)
    family_name = forms.CharField(label=_("Achternaam"), max_length=200)
    date_of_birth = forms.DateField(label=_("Geboortedatum"), widget=DATE_WIDGET)
    bsn = forms.CharField(label=_("BSN (optioneel)"), max_length=9, required=False)
    received_on = forms.DateField(label=_("Verzoek ontvangen op"), widget=DATE_WIDGET)
    exempted_references = forms.CharField(
        label=_("Uitgezonderde onderdelen (kenmerken, één per regel)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Bijvoorbeeld SIG-2026-ABC123 of PGA-2026-XYZ789; voor inbreng en besluiten het id."),
    )
    exemption_ground = forms.CharField(
        label=_("Grond voor de uitzondering"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def references(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["exempted_references"].splitlines() if line.strip()]


# ---------------------------------------------------------------- privacy audits (Wet PGA art. 16)


class PrivacyAuditForm(forms.Form):
    """An audit with a result per part of the list valid today (the service checks the list of
    the audit's date). A part left "niet beoordeeld" has no result; at least one is needed."""

    NOT_AUDITED, PASSED, FAILED = "", "passed", "failed"

    audited_on = forms.DateField(label=_("Datum van de audit"), widget=DATE_WIDGET)
    auditor = forms.CharField(
        label=_("Auditor (persoon of organisatie)"),
        max_length=200,
        help_text=_("Wie de audit uitvoerde, bijvoorbeeld een extern auditbureau of de interne auditdienst."),
    )
    scope = forms.CharField(
        label=_("Reikwijdte"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Welke verwerkingen, systemen en periode de audit omvatte (geen persoonsgegevens van betrokkenen)."
        ),
    )

    def __init__(self, *args, parts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.part_codes = []
        for code, label, articles in parts:
            self.part_codes.append(code)
            self.fields[f"result_{code}"] = forms.ChoiceField(
                label=f"{label} ({articles})",
                choices=[
                    (self.NOT_AUDITED, _("Niet beoordeeld")),
                    (self.PASSED, _("Voldoet")),
                    (self.FAILED, _("Voldoet niet")),
                ],
                required=False,
                initial=self.NOT_AUDITED,
                widget=forms.RadioSelect,
            )
            self.fields[f"note_{code}"] = forms.CharField(
                label=_("Toelichting bij %(part)s") % {"part": label},
                max_length=2000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def results(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {"part": code, "passed": data[f"result_{code}"] == self.PASSED, "note": data[f"note_{code}"]}
            for code in self.part_codes
            if data.get(f"result_{code}")
        ]


class SentToApForm(forms.Form):
    sent_on = forms.DateField(
        label=_("Verzonden aan de Autoriteit Persoonsgegevens op"),
        widget=DATE_WIDGET,
        help_text=_("Art. 16 lid 2 Wet PGA: een afschrift van de controleresultaten gaat naar de AP."),
    )
