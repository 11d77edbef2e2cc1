"""Forms of the case pages: participants, status, transfer (overdracht)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from casustafel.access import policy
from casustafel.accounts.models import PARTICIPANT_KINDS, Organisation, Region
from casustafel.core.web import SHORT_TEXT_LIMIT, AgreementForm
from casustafel.governance.forms import participation_choices

from . import states as case_states
from .models import ClosureReason, PlanRole, ReuseDecision, ThirdPartyData


class ParticipantForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisatie"), queryset=Organisation.objects.none())
    reason = forms.CharField(
        label=_("Reden van betrokkenheid"), max_length=SHORT_TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 2})
    )
    legal_basis = forms.ChoiceField(
        label=_("Grondslag voor deelname (verplicht voor de NCTV)"), required=False, choices=()
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["legal_basis"].choices = participation_choices()
        # Art. 3 lid 1 only: a third party is admitted by the three (ThirdPartyForm).
        self.fields["organisation"].queryset = Organisation.objects.filter(
            region_id=case.region_id, kind__in=PARTICIPANT_KINDS
        ).exclude(pk__in=case.participants.values("organisation_id"))


class CaseTransitionForm(forms.Form):
    target = forms.ChoiceField(label=_("Nieuwe status"), choices=())
    closure_reason = forms.ChoiceField(
        label=_("Reden van afsluiting (bij afsluiten)"), required=False, choices=[("", "—"), *ClosureReason.choices]
    )
    reason = forms.CharField(
        label=_("Toelichting"), max_length=SHORT_TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 2})
    )
    override_open_work = forms.CharField(
        label=_("Toch afsluiten terwijl er werk openstaat: waarom (alleen als dat zo is)"),
        required=False,
        max_length=SHORT_TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        labels = case_states.CASE_MACHINE.labels
        # No new state pre-selected: the user chooses one.
        self.fields["target"].choices = [
            ("", _("— kies —")),
            *((s, labels[s]) for s in case_states.CASE_MACHINE.states if case_states.CASE_MACHINE.can(case.status, s)),
        ]


class TransferProposalForm(forms.Form):
    to_region = forms.ModelChoiceField(label=_("Ontvangende casustafel"), queryset=Region.objects.none())
    reason = forms.CharField(
        label=_("Reden van de overdracht"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_region"].queryset = Region.objects.order_by("name")


class _DirectorField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name} ({obj.organisation.name})"


class TransferDecisionForm(forms.Form):
    ACCEPT, DECLINE = "accept", "decline"
    decision = forms.ChoiceField(
        label=_("Besluit"), widget=forms.RadioSelect, choices=[(ACCEPT, _("Aanvaarden")), (DECLINE, _("Afwijzen"))]
    )
    case_director = _DirectorField(
        label=_("Casusregisseur (bij aanvaarden)"),
        required=False,
        queryset=policy.case_director_candidates(None).none(),
    )
    reason = forms.CharField(
        label=_("Toelichting (verplicht bij afwijzen)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, transfer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case_director"].queryset = policy.case_director_candidates(transfer.to_region_id)


class ReasonForm(forms.Form):
    """One required reason: a lawfulness review (art. 6 lid 3) or a transfer objection (art. 7 lid 2)."""

    reason = forms.CharField(label=_("Reden"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["reason"].label = label


class ReuseDecisionForm(forms.Form):
    """Art. 6 lid 3: may the blocked case's data serve the renewed weighing?"""

    decision = forms.ChoiceField(label=_("Besluit"), widget=forms.RadioSelect, choices=ReuseDecision.choices)
    reason = forms.CharField(label=_("Onderbouwing"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ThirdPartyForm(forms.Form):
    """Propose a third party for a case (Wet PGA art. 3 lid 3)."""

    organisation = forms.ModelChoiceField(label=_("Organisatie (derde)"), queryset=Organisation.objects.none())
    expertise = forms.CharField(
        label=_("Deskundigheid die voor deze casus nodig is"),
        max_length=SHORT_TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    plan_roles = forms.MultipleChoiceField(
        label=_("Rol bij het plan van aanpak"), choices=PlanRole.choices, widget=forms.CheckboxSelectMultiple
    )
    necessary_data = forms.MultipleChoiceField(
        label=_("Gegevens die voor de derde noodzakelijk zijn"),
        help_text=_("De derde ziet alleen deze gegevens; signalen, politie- en justitiële gegevens nooit."),
        choices=ThirdPartyData.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    legal_basis = forms.ChoiceField(
        label=_("Grondslag voor deelname (verplicht voor de NCTV)"), required=False, choices=()
    )

    def __init__(self, *args, organisations=None, **kwargs):
        # Its own ids: the case page also carries the participant form (same field names).
        kwargs.setdefault("auto_id", "id_third_party_%s")
        super().__init__(*args, **kwargs)
        self.fields["legal_basis"].choices = participation_choices()
        self.fields["organisation"].queryset = organisations


class ThirdPartyDecisionForm(AgreementForm):
    """One of the three agrees with or rejects the admission of a third party (art. 3 lid 3)."""

    question = _("Laat uw partij deze derde toe?")
    yes = _("Ja, wij laten de derde toe")
    no = _("Nee, wij laten de derde niet toe")
    reason_help = _("Verplicht als uw partij de derde niet toelaat.")
