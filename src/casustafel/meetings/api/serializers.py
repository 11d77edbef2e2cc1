"""Conferences on the wire: the meeting, its (need-to-know scoped) agenda, and the writes."""

from typing import Any

from rest_framework import serializers

from casustafel.accounts.models import Organisation
from casustafel.api.serializers import DateTimeField, TextField
from casustafel.cases.api.serializers import OrganisationSerializer
from casustafel.cases.models import Case

from ..models import Attendance, Decision, Invitation, Meeting, MeetingAction


class MeetingSerializer(serializers.ModelSerializer):
    chair = serializers.CharField(source="chair.display_name", read_only=True)

    class Meta:
        model = Meeting
        fields = ["id", "starts_at", "ends_at", "location", "online", "chair", "status", "status_reason"]


class MeetingCreateSerializer(serializers.Serializer):
    starts_at = DateTimeField(help_text="Begin, met tijdzone; niet in het verleden")
    ends_at = DateTimeField(help_text="Einde, na het begin")
    location = serializers.CharField(max_length=200, help_text="Locatie of link van het online overleg")
    online = serializers.BooleanField(required=False, default=False)


class MeetingRecordSerializer(MeetingCreateSerializer):
    starts_at = DateTimeField(help_text="Begin, met tijdzone; in het verleden (binnen een jaar)")
    ends_at = DateTimeField(help_text="Einde, na het begin en niet in de toekomst")
    reason = TextField(2000, help_text="Waarom het overleg achteraf wordt vastgelegd (bijvoorbeeld spoedoverleg)")


class MeetingCancelSerializer(serializers.Serializer):
    reason = TextField(2000, help_text="Reden van de annulering")


class InvitationSerializer(serializers.ModelSerializer):
    organisation = OrganisationSerializer(read_only=True)

    class Meta:
        model = Invitation
        fields = ["organisation", "invited_at", "attendance"]


class MeetingDecisionSerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.display_name", read_only=True)

    class Meta:
        model = Decision
        fields = ["id", "text", "recorded_by", "recorded_at"]


class MeetingActionSerializer(serializers.ModelSerializer):
    owner = OrganisationSerializer(read_only=True)
    case = serializers.CharField(source="case.reference", read_only=True, help_text="Kenmerk van de casus")

    class Meta:
        model = MeetingAction
        fields = ["id", "case", "description", "owner", "due_date", "status", "done_at"]


class AgendaItemSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    case_id = serializers.UUIDField(source="case.id", read_only=True)
    case_reference = serializers.CharField(source="case.reference", read_only=True)
    subject_name = serializers.CharField(
        source="case.subject.full_name", read_only=True, help_text="Naam van de betrokkene"
    )
    reason = serializers.CharField(read_only=True, help_text="Reden van agendering")
    participating_organisations = serializers.SerializerMethodField(
        help_text="Organisaties die aan de casus deelnemen (uit te nodigen)"
    )
    minutes = serializers.CharField(read_only=True)
    version = serializers.IntegerField(
        read_only=True, help_text='Versie van het agendapunt; als W/"<version>" in If-Match bij het verslag'
    )
    decisions = MeetingDecisionSerializer(many=True, read_only=True)
    actions = MeetingActionSerializer(many=True, read_only=True)

    def get_participating_organisations(self, item) -> list[dict[str, Any]]:
        return list(OrganisationSerializer([p.organisation for p in item.case.participants.all()], many=True).data)


class MeetingDetailSerializer(MeetingSerializer):
    invitations = InvitationSerializer(many=True, read_only=True)
    agenda = AgendaItemSerializer(
        many=True, read_only=True, help_text="Alleen de agendapunten die de gebruiker mag zien (need-to-know)"
    )

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "invitations", "agenda"]


class AgendaItemCreateSerializer(serializers.Serializer):
    case = serializers.PrimaryKeyRelatedField(
        queryset=Case.objects.none(), help_text="Id van een casus van deze casustafel"
    )

    def __init__(self, *args, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = Case.objects.filter(region=region)


class AttendanceCreateSerializer(serializers.Serializer):
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.none())
    attendance = serializers.ChoiceField(choices=[Attendance.PRESENT, Attendance.ABSENT])

    def __init__(self, *args, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(region=region)


class MinutesSerializer(serializers.Serializer):
    minutes = TextField(10000, help_text="Verslag van het agendapunt")


class MeetingDecisionCreateSerializer(serializers.Serializer):
    text = TextField(4000, help_text="Het besluit")


class MeetingActionCreateSerializer(serializers.Serializer):
    description = TextField(2000)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.none(),
        help_text="Id van de organisatie die de actie uitvoert (verplicht)",
        error_messages={
            "required": "Een actie heeft een eigenaar nodig: kies de organisatie die de actie uitvoert.",
            "null": "Een actie heeft een eigenaar nodig: kies de organisatie die de actie uitvoert.",
        },
    )
    due_date = serializers.DateField(help_text="Uiterlijk op")

    def __init__(self, *args, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Organisation.objects.filter(region=region)
