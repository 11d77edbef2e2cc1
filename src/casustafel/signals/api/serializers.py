"""Signals on the wire: registration input, the signal as read, transitions."""

from rest_framework import serializers

from casustafel.api.serializers import SubjectSerializer, TextField
from casustafel.governance.api.serializers import LegalBasisSerializer, ShieldedMixin, provenance_input_fields
from casustafel.subjects.models import Gender
from casustafel.subjects.validators import validate_bsn, validate_date_of_birth, validate_not_future

from .. import states
from ..models import Phenomenon, Signal, SourceType, Urgency

#: Signal states with their labels (named ``SignalStatusEnum`` in the OpenAPI document).
STATUS_CHOICES = list(states.SIGNAL_MACHINE.labels.items())


class SubjectInputSerializer(serializers.Serializer):
    given_names = serializers.CharField(max_length=200)
    family_name = serializers.CharField(max_length=200)
    date_of_birth = serializers.DateField(validators=[validate_date_of_birth])
    gender = serializers.ChoiceField(choices=Gender.choices)
    municipality = serializers.CharField(max_length=100)
    bsn = serializers.CharField(
        max_length=9,
        required=False,
        allow_blank=True,
        default="",
        validators=[validate_bsn],
        help_text="Burgerservicenummer (elfproef), optioneel",
    )


class SignalCreateSerializer(serializers.Serializer):
    """A new signal about a person (intake)."""

    subject = SubjectInputSerializer()
    source_type = serializers.ChoiceField(choices=SourceType.choices)
    source_description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    phenomenon = serializers.ChoiceField(choices=Phenomenon.choices)
    facts = TextField(10000, help_text="Waargenomen feiten")
    opinions = TextField(10000, required=False, help_text="Meningen en duidingen, gemarkeerd als mening")
    counter_indications = TextField(10000, required=False)
    online_component = serializers.BooleanField(required=False, default=False)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False, default=Urgency.NORMAL)
    observed_on = serializers.DateField(required=False, allow_null=True, default=None, validators=[validate_not_future])
    legal_basis, classification, visibility = provenance_input_fields().values()


class SignalSerializer(ShieldedMixin, serializers.ModelSerializer):
    """A signal; its content is null (and ``shielded`` true) for callers its provenance excludes."""

    content_fields = ("source_description", "facts", "opinions", "counter_indications")
    subject = SubjectSerializer(read_only=True)
    legal_basis = LegalBasisSerializer(read_only=True, allow_null=True)
    shielded = serializers.BooleanField(read_only=True, help_text="Inhoud afgeschermd voor de vrager")
    shielded_note = serializers.CharField(read_only=True, allow_null=True)
    weighing = serializers.UUIDField(source="weighing_id", read_only=True, allow_null=True)
    registered_by_organisation = serializers.CharField(source="registered_by_organisation.name", read_only=True)
    escalated_to_police = serializers.SerializerMethodField()

    class Meta:
        model = Signal
        fields = [
            "id",
            "reference",
            "status",
            "subject",
            "source_type",
            "source_description",
            "phenomenon",
            "facts",
            "opinions",
            "counter_indications",
            "online_component",
            "urgency",
            "observed_on",
            "escalated_to_police",
            "escalated_to_police_at",
            "weighing",
            "registered_by_organisation",
            "registered_at",
            "legal_basis",
            "classification",
            "visibility",
            "shielded",
            "shielded_note",
        ]
        read_only_fields = fields

    def get_escalated_to_police(self, signal) -> bool:
        return signal.escalated_to_police_at is not None


class SignalRegistrationSerializer(SignalSerializer):
    """The registered signal with the outcome of the known-person check."""

    known_person = serializers.BooleanField(read_only=True, help_text="De persoon was al bekend bij deze tafel")
    joined_weighing = serializers.BooleanField(
        read_only=True, help_text="Het signaal is toegevoegd aan een lopende weging"
    )

    class Meta(SignalSerializer.Meta):
        fields = [*SignalSerializer.Meta.fields, "known_person", "joined_weighing"]
        read_only_fields = fields


#: The transitions a partner may make; the weighing's decision makes the others.
TRANSITION_TARGETS = [
    (target, states.SIGNAL_MACHINE.labels[target]) for target in (states.IN_PREPARATION, states.IN_WEIGHING)
]


class SignalTransitionSerializer(serializers.Serializer):
    target = serializers.ChoiceField(choices=TRANSITION_TARGETS)
    reason = TextField(2000, required=False)


class SignalFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=STATUS_CHOICES, required=False)
    phenomenon = serializers.ChoiceField(choices=Phenomenon.choices, required=False)
