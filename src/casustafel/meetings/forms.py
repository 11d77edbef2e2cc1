"""Web forms of the conferences; the services decide and word the refusals."""

from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casustafel.accounts.models import Organisation
from casustafel.cases.models import Case
from casustafel.core.concurrency import VersionField

from .models import Attendance
from .selectors import AGENDA_STATES

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class MeetingForm(forms.Form):
    date = forms.DateField(label=_("Datum"), widget=DATE_WIDGET)
    start = forms.TimeField(label=_("Begintijd"), widget=TIME_WIDGET)
    end = forms.TimeField(label=_("Eindtijd"), widget=TIME_WIDGET)
    location = forms.CharField(label=_("Locatie of link online overleg"), max_length=200)
    online = forms.BooleanField(label=_("Online overleg"), required=False)

    def moments(self):
        d = self.cleaned_data
        tz = timezone.get_current_timezone()
        return (
            timezone.make_aware(datetime.combine(d["date"], d["start"]), tz),
            timezone.make_aware(datetime.combine(d["date"], d["end"]), tz),
        )


class MeetingEditForm(MeetingForm):
    version = VersionField()


class RecordAfterwardsForm(MeetingForm):
    reason = forms.CharField(
        label=_("Waarom achteraf vastgelegd"),
        help_text=_("Bijvoorbeeld: spoedoverleg na een acute melding."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CancelMeetingForm(forms.Form):
    reason = forms.CharField(
        label=_("Reden van de annulering"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CaseLabelChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, case):
        return f"{case.reference} — {case.subject.full_name}"


class AgendaItemForm(forms.Form):
    case = CaseLabelChoiceField(label=_("Casus"), queryset=Case.objects.none())

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = (
            Case.objects.filter(region_id=meeting.region_id, status__in=AGENDA_STATES)
            .exclude(agenda_items__meeting=meeting)
            .select_related("subject")
        )


class AttendanceForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisatie"), queryset=Organisation.objects.none())
    # Neutral (issue 12 item 10): present or absent is recorded, never assumed.
    attendance = forms.ChoiceField(
        label=_("Aanwezigheid"),
        choices=[("", _("— kies —")), (Attendance.PRESENT, _("Aanwezig")), (Attendance.ABSENT, _("Afwezig"))],
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(region_id=meeting.region_id)


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=_("Verslag"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4}))
    version = VersionField()


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("Besluit"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class ActionForm(forms.Form):
    description = forms.CharField(label=_("Actie"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ModelChoiceField(
        label=_("Eigenaar (organisatie)"),
        queryset=Organisation.objects.none(),
        error_messages={
            "required": _("Een actie heeft een eigenaar nodig: kies de organisatie die de actie uitvoert.")
        },
    )
    due_date = forms.DateField(label=_("Uiterlijk op"), widget=DATE_WIDGET)

    def __init__(self, *args, item, involved=None, **kwargs):
        """``involved``: the organisations taking part in the item's case, when the caller already
        holds them (the agenda prefetches them): the choices are rendered from them without a query
        per item; a submitted owner is still validated against the database."""
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        field.queryset = Organisation.objects.filter(pk__in=item.case.participants.values("organisation_id"))
        if involved is not None:
            ordered = sorted(involved, key=lambda o: (o.name, str(o.pk)))
            empty = [("", field.empty_label)] if field.empty_label is not None else []
            field.choices = [*empty, *((o.pk, str(o)) for o in ordered)]
