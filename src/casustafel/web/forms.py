"""Web forms. Validation of identity data is shared with the API (subjects.validators)."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from casustafel.accounts.models import CORE_PARTY_KINDS, Organisation, Role, User
from casustafel.cases import states as case_states
from casustafel.cases.models import ClosureReason
from casustafel.governance.forms import ProvenanceFieldsMixin, participation_choices
from casustafel.signals.models import Phenomenon, SourceType, Urgency
from casustafel.subjects.models import Gender
from casustafel.subjects.validators import validate_bsn, validate_date_of_birth, validate_not_future
from casustafel.weighing.models import Assessment, Outcome, ReferralTarget

TEXT_LIMIT = 10000
SHORT_TEXT_LIMIT = 2000
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def apply_service_errors(form: forms.Form, error) -> None:
    """Attach a service's ValidationError to the form fields it names (others to the form)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


class IntakeForm(ProvenanceFieldsMixin, forms.Form):
    # Subject (betrokkene)
    given_names = forms.CharField(label=_("Voornamen"), max_length=200)
    family_name = forms.CharField(label=_("Achternaam"), max_length=200)
    date_of_birth = forms.DateField(label=_("Geboortedatum"), widget=DATE_WIDGET,
                                    validators=[validate_date_of_birth])
    gender = forms.ChoiceField(label=_("Geslacht"), choices=Gender.choices)
    municipality = forms.CharField(label=_("Woongemeente"), max_length=100)
    bsn = forms.CharField(label=_("BSN (optioneel)"), max_length=9, min_length=9, required=False,
                          validators=[validate_bsn], widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                                                   "autocomplete": "off"}))
    # Signal
    source_type = forms.ChoiceField(label=_("Soort bron"), choices=SourceType.choices)
    source_description = forms.CharField(label=_("Bron (organisatie of functie, geen AIVD-bronnen)"),
                                         max_length=200, required=False)
    phenomenon = forms.ChoiceField(label=_("Fenomeen"), choices=Phenomenon.choices,
                                   help_text=_("Op grond van gedrag, nooit op grond van religie of herkomst."))
    facts = forms.CharField(label=_("Waargenomen feiten"), max_length=TEXT_LIMIT, widget=forms.Textarea,
                            help_text=_("Alleen feiten: wat is waargenomen, wanneer en door wie."))
    opinions = forms.CharField(label=_("Meningen en duidingen"), max_length=TEXT_LIMIT, required=False,
                               widget=forms.Textarea, help_text=_("Wordt vastgelegd als mening, niet als feit."))
    counter_indications = forms.CharField(label=_("Contra-indicaties"), max_length=TEXT_LIMIT, required=False,
                                          widget=forms.Textarea)
    online_component = forms.BooleanField(label=_("Er is een online component"), required=False)
    urgency = forms.ChoiceField(label=_("Urgentie"), choices=Urgency.choices, initial=Urgency.NORMAL)
    observed_on = forms.DateField(label=_("Datum waarneming"), required=False, widget=DATE_WIDGET,
                                  validators=[validate_not_future])
    submission = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    SUBJECT_FIELDS = ("given_names", "family_name", "date_of_birth", "gender", "municipality", "bsn")
    SIGNAL_FIELDS = ("source_type", "source_description", "phenomenon", "facts", "opinions",
                     "counter_indications", "online_component", "urgency", "observed_on",
                     *ProvenanceFieldsMixin.PROVENANCE_FIELDS)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Toelichting"), max_length=SHORT_TEXT_LIMIT, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Antwoord (geen persoonsgegevens; bijvoorbeeld wie contact opneemt)"),
                             max_length=SHORT_TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 2}))


class ContributionForm(ProvenanceFieldsMixin, forms.Form):
    holds_information = forms.TypedChoiceField(
        label=_("Heeft uw organisatie informatie over deze persoon?"),
        choices=[("1", _("Ja")), ("0", _("Nee, mijn organisatie heeft niets"))],
        coerce=lambda v: v == "1", widget=forms.RadioSelect)
    information = forms.CharField(label=_("Informatie van uw organisatie"), max_length=TEXT_LIMIT,
                                  required=False, widget=forms.Textarea)
    view = forms.ChoiceField(label=_("Standpunt van uw organisatie"), choices=Outcome.choices)
    view_rationale = forms.CharField(label=_("Onderbouwing standpunt"), max_length=5000, widget=forms.Textarea)

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"assessment_{criterion.code}"] = forms.ChoiceField(
                label=criterion.label, choices=Assessment.choices, help_text=criterion.guidance)
            self.fields[f"reasons_{criterion.code}"] = forms.CharField(
                label=_("Onderbouwing: %(label)s") % {"label": criterion.label}, max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2}))

    def assessments(self) -> dict:
        return {c.code: (self.cleaned_data[f"assessment_{c.code}"], self.cleaned_data[f"reasons_{c.code}"])
                for c in self.criteria}

    def criterion_fields(self):
        return [(self[f"assessment_{c.code}"], self[f"reasons_{c.code}"]) for c in self.criteria]


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Besluit"), choices=Outcome.choices, widget=forms.RadioSelect)
    rationale = forms.CharField(label=_("Gezamenlijke onderbouwing"), max_length=TEXT_LIMIT, widget=forms.Textarea)
    dissent = forms.CharField(label=_("Afwijkende standpunten"), max_length=5000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    referral_target = forms.ChoiceField(label=_("Doorverwijzen naar (bij doorverwijzen)"), required=False,
                                        choices=[("", "—"), *ReferralTarget.choices])
    information_deadline = forms.DateField(label=_("Termijn aanvullende informatie (bij meer informatie nodig)"),
                                           required=False, widget=DATE_WIDGET)
    case_director = forms.ModelChoiceField(label=_("Casusregisseur (bij opnemen)"), required=False,
                                           queryset=User.objects.none())
    participants = forms.ModelMultipleChoiceField(
        label=_("Overige deelnemende organisaties (bij opnemen)"), required=False,
        queryset=Organisation.objects.none(), widget=forms.CheckboxSelectMultiple)
    participants_reason = forms.CharField(label=_("Reden van betrokkenheid van deze organisaties"),
                                          max_length=SHORT_TEXT_LIMIT, required=False)
    participants_legal_basis = forms.ChoiceField(label=_("Grondslag voor deelname (verplicht voor de NCTV)"),
                                                 required=False, choices=())

    def __init__(self, *args, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case_director"].queryset = User.objects.filter(
            organisation__region=region, role=Role.CASE_DIRECTOR, is_active=True).select_related("organisation")
        self.fields["case_director"].label_from_instance = lambda u: f"{u.display_name} ({u.organisation})"
        self.fields["participants"].queryset = Organisation.objects.filter(region=region).exclude(
            kind__in=CORE_PARTY_KINDS)
        self.fields["participants_legal_basis"].choices = participation_choices()

    def clean(self):
        data = super().clean()
        if data.get("participants") and not (data.get("participants_reason") or "").strip():
            self.add_error("participants_reason", _("Geef de reden van betrokkenheid."))
        return data


class ParticipantForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisatie"), queryset=Organisation.objects.none())
    reason = forms.CharField(label=_("Reden van betrokkenheid"), max_length=SHORT_TEXT_LIMIT,
                             widget=forms.Textarea(attrs={"rows": 2}))
    legal_basis = forms.ChoiceField(label=_("Grondslag voor deelname (verplicht voor de NCTV)"), required=False,
                                    choices=())

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["legal_basis"].choices = participation_choices()
        self.fields["organisation"].queryset = Organisation.objects.filter(region_id=case.region_id).exclude(
            pk__in=case.participants.values("organisation_id"))


class CaseTransitionForm(forms.Form):
    target = forms.ChoiceField(label=_("Nieuwe status"), choices=())
    closure_reason = forms.ChoiceField(label=_("Reden van afsluiting (bij afsluiten)"), required=False,
                                       choices=[("", "—"), *ClosureReason.choices])
    reason = forms.CharField(label=_("Toelichting"), max_length=SHORT_TEXT_LIMIT,
                             widget=forms.Textarea(attrs={"rows": 2}))
    override_open_work = forms.CharField(
        label=_("Toch afsluiten terwijl er werk openstaat: waarom (alleen als dat zo is)"), required=False,
        max_length=SHORT_TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        labels = case_states.CASE_MACHINE.labels
        self.fields["target"].choices = [(s, labels[s]) for s in case_states.CASE_MACHINE.states
                                         if case_states.CASE_MACHINE.can(case.status, s)] or [("", "—")]
