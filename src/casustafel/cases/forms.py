"""Forms of the case pages: participants, status, transfer (overdracht)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from casustafel.access import policy
from casustafel.accounts.models import Organisation, Region
from casustafel.core.web import SHORT_TEXT_LIMIT
from casustafel.governance.forms import participation_choices

from . import states as case_states
from .models import ClosureReason, ReuseDecision


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
        self.fields["organisation"].queryset = Organisation.objects.filter(region_id=case.region_id).exclude(
            pk__in=case.participants.values("organisation_id")
        )


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
        self.fields["target"].choices = [
            (s, labels[s]) for s in case_states.CASE_MACHINE.states if case_states.CASE_MACHINE.can(case.status, s)
        ] or [("", "—")]


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
