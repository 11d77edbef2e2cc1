"""Forms of the weighing page: a party's contribution and the joint decision."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from casustafel.access import policy
from casustafel.accounts.models import CORE_PARTY_KINDS, PARTICIPANT_KINDS, Organisation, User
from casustafel.core.concurrency import VersionField
from casustafel.core.web import DATE_WIDGET, SHORT_TEXT_LIMIT, TEXT_LIMIT, AgreementForm
from casustafel.governance.forms import ProvenanceFieldsMixin, participation_choices

from .models import Assessment, Outcome, ReferralTarget


class ContributionForm(ProvenanceFieldsMixin, forms.Form):
    holds_information = forms.TypedChoiceField(
        label=_("Heeft uw organisatie informatie over deze persoon?"),
        choices=[("1", _("Ja")), ("0", _("Nee, mijn organisatie heeft niets"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    information = forms.CharField(
        label=_("Informatie van uw organisatie"), max_length=TEXT_LIMIT, required=False, widget=forms.Textarea
    )
    # No position pre-selected: an untouched form is not a vote to include.
    view = forms.ChoiceField(label=_("Standpunt van uw organisatie"), choices=[("", _("— kies —")), *Outcome.choices])
    view_rationale = forms.CharField(label=_("Onderbouwing standpunt"), max_length=5000, widget=forms.Textarea)
    #: The version of the party's contribution the form showed (0: none yet; ADR 0052).
    version = VersionField()

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"assessment_{criterion.code}"] = forms.ChoiceField(
                label=criterion.label,
                choices=[("", _("— kies (of ‘Onbekend’) —")), *Assessment.choices],
                help_text=criterion.guidance,
            )
            self.fields[f"reasons_{criterion.code}"] = forms.CharField(
                label=_("Onderbouwing: %(label)s") % {"label": criterion.label},
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def assessments(self) -> dict:
        return {
            c.code: (self.cleaned_data[f"assessment_{c.code}"], self.cleaned_data[f"reasons_{c.code}"])
            for c in self.criteria
        }

    def criterion_fields(self):
        return [(self[f"assessment_{c.code}"], self[f"reasons_{c.code}"]) for c in self.criteria]


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Besluit"), choices=Outcome.choices, widget=forms.RadioSelect)
    rationale = forms.CharField(label=_("Gezamenlijke onderbouwing"), max_length=TEXT_LIMIT, widget=forms.Textarea)
    dissent = forms.CharField(
        label=_("Afwijkende standpunten"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    referral_target = forms.ChoiceField(
        label=_("Doorverwijzen naar (bij doorverwijzen)"), required=False, choices=[("", "—"), *ReferralTarget.choices]
    )
    information_deadline = forms.DateField(
        label=_("Termijn aanvullende informatie (bij meer informatie nodig)"), required=False, widget=DATE_WIDGET
    )
    case_director = forms.ModelChoiceField(
        label=_("Casusregisseur (bij opnemen)"), required=False, queryset=User.objects.none()
    )
    participants = forms.ModelMultipleChoiceField(
        label=_("Overige deelnemende organisaties (art. 3 lid 1; derden worden na opening toegelaten)"),
        required=False,
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    participants_reason = forms.CharField(
        label=_("Reden van betrokkenheid van deze organisaties"), max_length=SHORT_TEXT_LIMIT, required=False
    )
    participants_legal_basis = forms.ChoiceField(
        label=_("Grondslag voor deelname (verplicht voor de NCTV)"), required=False, choices=()
    )

    def __init__(self, *args, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case_director"].queryset = policy.case_director_candidates(region.pk if region else None)
        self.fields["case_director"].label_from_instance = lambda u: f"{u.display_name} ({u.organisation})"
        # Art. 3 lid 1 participants; third parties are admitted after opening (art. 3 lid 3).
        self.fields["participants"].queryset = Organisation.objects.filter(
            region=region, kind__in=PARTICIPANT_KINDS
        ).exclude(kind__in=CORE_PARTY_KINDS)
        self.fields["participants_legal_basis"].choices = participation_choices()

    def clean(self):
        data = super().clean()
        if data.get("participants") and not (data.get("participants_reason") or "").strip():
            self.add_error("participants_reason", _("Geef de reden van betrokkenheid."))
        return data


class ConfirmationForm(AgreementForm):
    """A core party confirms or rejects the proposed decision (art. 5 lid 3 Wet PGA)."""

    question = _("Onderschrijft uw partij dit besluit?")
    yes = _("Ja, wij onderschrijven het besluit")
    no = _("Nee, wij onderschrijven het niet")
    reason_help = _("Verplicht als uw partij het besluit niet onderschrijft.")


class RegistrantInformedForm(forms.Form):
    """Art. 5 lid 6 Wet PGA: the registering participant was informed that the case is not put forward."""

    notice = forms.UUIDField(widget=forms.HiddenInput)
    informed_on = forms.DateField(label=_("Geïnformeerd op"), widget=DATE_WIDGET)


class ConsultationForm(forms.Form):
    """Wet PGA art. 5 lid 3: the weegploeg consulted another participant of the table."""

    organisation = forms.ModelChoiceField(
        label=_("Geraadpleegde organisatie"),
        queryset=Organisation.objects.none(),
        error_messages={"invalid_choice": _("Kies een organisatie van deze casustafel, niet gemeente, politie of OM.")},
    )
    consulted_on = forms.DateField(label=_("Geraadpleegd op"), widget=DATE_WIDGET)
    question = forms.CharField(
        label=_("Voorgelegde vraag"), max_length=SHORT_TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 2})
    )
    answer = forms.CharField(
        label=_("Antwoord of samenvatting"),
        help_text=_("Laat leeg als het antwoord nog niet binnen is; u kunt het later toevoegen."),
        max_length=SHORT_TEXT_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The other participants of the table (art. 3 lid 1): not the three, not a third party.
        self.fields["organisation"].queryset = Organisation.objects.filter(
            region=region, kind__in=PARTICIPANT_KINDS
        ).exclude(kind__in=CORE_PARTY_KINDS)


class ConsultationAnswerForm(forms.Form):
    """The answer a consulted participant gave, added later."""

    consultation = forms.UUIDField(widget=forms.HiddenInput)
    answer = forms.CharField(
        label=_("Antwoord of samenvatting"), max_length=SHORT_TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 2})
    )
