"""Web forms of the plan of action; the services decide, the forms only parse."""

from django import forms
from django.utils.translation import gettext_lazy as _

from casustafel.accounts.models import Organisation, OrganisationKind
from casustafel.core.concurrency import VersionField

from .models import Instrument, LifeDomain, Score
from .selectors import GROUP_LABELS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
AREA = forms.Textarea(attrs={"rows": 2})


class GoalForm(forms.Form):
    domain = forms.ChoiceField(label=_("Leefgebied"), choices=[("", _("— kies —")), *LifeDomain.choices])
    description = forms.CharField(label=_("Doel"), max_length=2000, widget=AREA)


class GoalEditForm(GoalForm):
    goal = forms.UUIDField(widget=forms.HiddenInput)
    version = VersionField()


class InterventionEditForm(forms.Form):
    """The period and planned sessions of an intervention (issue 12 item 7)."""

    intervention = forms.UUIDField(widget=forms.HiddenInput)
    starts_on = forms.DateField(label=_("Start"), widget=DATE)
    planned_end = forms.DateField(label=_("Geplande einddatum"), widget=DATE)
    planned_sessions = forms.IntegerField(label=_("Aantal geplande contacten"), min_value=0, max_value=1000)
    version = VersionField()


class InterventionForm(forms.Form):
    entry = forms.ChoiceField(label=_("Maatregel of interventie (catalogus)"), choices=())
    organisation = forms.ModelChoiceField(
        label=_("Uitvoerende (bevoegde) organisatie"), queryset=Organisation.objects.none()
    )
    starts_on = forms.DateField(label=_("Start"), widget=DATE)
    planned_end = forms.DateField(label=_("Geplande einddatum"), widget=DATE)
    planned_sessions = forms.IntegerField(label=_("Aantal geplande contacten"), min_value=0, max_value=1000, initial=0)

    def __init__(self, *args, case=None, entries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].choices = [("", _("— kies —"))] + [
            (e.code, f"{e.name} ({_('gedwongen') if e.enforced else _('vrijwillig')})") for e in entries
        ]
        self.fields["organisation"].queryset = Organisation.objects.filter(region_id=case.region_id)


class ContactForm(forms.Form):
    intervention = forms.UUIDField(widget=forms.HiddenInput)
    date = forms.DateField(label=_("Datum"), widget=DATE)
    held = forms.TypedChoiceField(
        # Neutral (issue 12 item 10): whether it took place is chosen, never assumed.
        label=_("Doorgegaan"),
        coerce=lambda v: v == "ja",
        choices=[("", _("— kies —")), ("ja", _("Ja")), ("nee", _("Nee, niet doorgegaan"))],
    )
    note = forms.CharField(label=_("Notitie"), max_length=2000, required=False, widget=AREA)


class EndForm(forms.Form):
    intervention = forms.UUIDField(widget=forms.HiddenInput)
    ended_on = forms.DateField(label=_("Beëindigd op"), widget=DATE)
    note = forms.CharField(label=_("Toelichting"), max_length=2000, required=False, widget=AREA)


class AcknowledgeForm(forms.Form):
    rule = forms.SlugField(widget=forms.HiddenInput, max_length=60)
    reason = forms.CharField(
        label=_("Reden waarom het plan ondanks dit conflict doorgaat"), max_length=2000, widget=AREA
    )
    coordination = forms.CharField(
        label=_("Afstemmingsactie (optioneel)"), max_length=2000, required=False, widget=AREA
    )
    owner = forms.ModelChoiceField(
        label=_("Eigenaar afstemmingsactie"), queryset=Organisation.objects.none(), required=False
    )
    due_on = forms.DateField(label=_("Uiterlijk"), widget=DATE, required=False)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Organisation.objects.filter(region_id=case.region_id)


class TaskDoneForm(forms.Form):
    task = forms.UUIDField(widget=forms.HiddenInput)
    outcome = forms.CharField(label=_("Wat is er afgesproken?"), max_length=2000, widget=AREA)


class CheckInForm(forms.Form):
    checkin = forms.UUIDField(widget=forms.HiddenInput)
    held_on = forms.DateField(label=_("Gehouden op"), widget=DATE)
    organisation = forms.ModelChoiceField(label=_("Met organisatie"), queryset=Organisation.objects.none())
    new_concerns = forms.TypedChoiceField(
        # Neutral (issue 12 item 10): "no new concerns" is a judgement the user makes, not a default.
        label=_("Nieuwe zorgen?"),
        coerce=lambda v: v == "ja",
        choices=[("", _("— kies —")), ("nee", _("Nee")), ("ja", _("Ja"))],
    )
    note = forms.CharField(label=_("Korte notitie"), max_length=2000, widget=AREA)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(region_id=case.region_id)


class ReviewForm(forms.Form):
    held_on = forms.DateField(label=_("Datum evaluatie"), widget=DATE)
    narrative = forms.CharField(
        label=_("Toelichting op de voortgang"), max_length=10000, widget=forms.Textarea(attrs={"rows": 3})
    )
    instrument = forms.ChoiceField(
        label=_("Gestructureerd instrument (optioneel)"), required=False, choices=[("", "—"), *Instrument.choices]
    )
    assessor = forms.CharField(label=_("Beoordelaar"), max_length=200, required=False)
    assessed_on = forms.DateField(label=_("Datum beoordeling"), widget=DATE, required=False)
    conclusion = forms.CharField(label=_("Conclusie (geen itemteksten)"), max_length=4000, required=False, widget=AREA)
    scenarios = forms.CharField(label=_("Scenario's"), max_length=4000, required=False, widget=AREA)

    def __init__(self, *args, goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.goal_fields = []
        for goal in goals:
            name = f"score_{goal.pk}"
            self.fields[name] = forms.TypedChoiceField(
                label=_("Score: %(goal)s") % {"goal": goal.description[:80]},
                coerce=int,
                choices=[("", "—"), *Score.choices],
            )
            self.goal_fields.append((name, goal))

    def scores(self):
        return {goal.pk: self.cleaned_data[name] for name, goal in self.goal_fields}


class CatalogueEntryForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=60)
    group = forms.ChoiceField(label=_("Groep"), choices=())
    name = forms.CharField(label=_("Naam"), max_length=200)
    description = forms.CharField(label=_("Omschrijving"), max_length=4000, widget=AREA)
    organisation_kinds = forms.MultipleChoiceField(
        label=_("Bevoegde soorten organisaties"), choices=OrganisationKind.choices, widget=forms.CheckboxSelectMultiple
    )
    legal_basis = forms.CharField(label=_("Grondslag"), max_length=2000)
    enforced = forms.BooleanField(label=_("Gedwongen maatregel"), required=False)
    note = forms.CharField(label=_("Toelichting bij deze catalogusversie"), max_length=2000, required=False)

    def __init__(self, *args, **kwargs):

        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [(k, str(v)) for k, v in GROUP_LABELS.items()]
