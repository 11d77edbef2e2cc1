"""Signals on the wire: registration input, the signal as read, transitions."""

from rest_framework import serializers

from casustafel.api.serializers import SubjectSerializer, TextField
from casustafel.governance.api.serializers import LegalBasisSerializer, ShieldedMixin, provenance_input_fields
from casustafel.subjects.models import Gender, SubjectKind
from casustafel.subjects.validators import (
    subject_kind_errors,
    validate_bsn,
    validate_date_of_birth,
    validate_kvk_number,
    validate_not_future,
    validate_rsin,
)

from .. import states
from ..models import Addressee, IntakeRoute, Phenomenon, ReporterKind, Signal, SourceType, Urgency

#: Signal states with their labels (named ``SignalStatusEnum`` in the OpenAPI document).
STATUS_CHOICES = list(states.SIGNAL_MACHINE.labels.items())


class SubjectInputSerializer(serializers.Serializer):
    """A natural person (names, date of birth, gender, BSN) or a legal person (name, KvK
    number, RSIN, place of establishment) — Wet PGA art. 2 lid 1; both with the gemeente van
    verblijf (art. 1)."""

    kind = serializers.ChoiceField(
        choices=SubjectKind.choices,
        required=False,
        default=SubjectKind.NATURAL_PERSON,
        help_text="Natuurlijk persoon of rechtspersoon (Wet PGA art. 2 lid 1)",
    )
    given_names = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    family_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    date_of_birth = serializers.DateField(
        required=False, allow_null=True, default=None, validators=[validate_date_of_birth]
    )
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, allow_blank=True, default="")
    municipality = serializers.CharField(
        max_length=100,
        help_text="Gemeente van verblijf (Wet PGA art. 1): waar de betrokkene verblijft of het laatst verbleef; "
        "voor een rechtspersoon waar die gevestigd is",
    )
    bsn = serializers.CharField(
        max_length=9,
        required=False,
        allow_blank=True,
        default="",
        validators=[validate_bsn],
        help_text="Burgerservicenummer (elfproef), optioneel; alleen voor een natuurlijk persoon",
    )
    legal_name = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="Naam van de rechtspersoon"
    )
    kvk_number = serializers.CharField(
        max_length=8,
        required=False,
        allow_blank=True,
        default="",
        validators=[validate_kvk_number],
        help_text="KvK-nummer (8 cijfers), optioneel",
    )
    rsin = serializers.CharField(
        max_length=9,
        required=False,
        allow_blank=True,
        default="",
        validators=[validate_rsin],
        help_text="RSIN (9 cijfers, elfproef), optioneel",
    )
    establishment_place = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", help_text="Plaats van vestiging"
    )

    def validate(self, attrs):
        errors = subject_kind_errors(attrs)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class SignalCreateSerializer(serializers.Serializer):
    """A new signal about a person (intake)."""

    subject = SubjectInputSerializer()
    intake_route = serializers.ChoiceField(
        choices=IntakeRoute.choices,
        required=False,
        default=IntakeRoute.REFERRAL,
        help_text="Aanmelding door een deelnemer (art. 5 lid 1; de aanmeldende deelnemer is de eigen organisatie) "
        "of melding door een ieder (art. 5 lid 2)",
    )
    addressed_to = serializers.ChoiceField(
        choices=Addressee.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Gericht aan politie, OM of de burgemeester van de gemeente van verblijf; zonder waarde: de "
        "kant van de eigen organisatie (politie, OM, anders de burgemeester)",
    )
    reporter_kind = serializers.ChoiceField(
        choices=ReporterKind.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Bij een melding verplicht: burger, professional of anoniem",
    )
    reporter_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    reporter_contact = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default="", help_text="Niet bij een anonieme melding"
    )
    source_type = serializers.ChoiceField(choices=SourceType.choices)
    source_description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    phenomenon = serializers.ChoiceField(choices=Phenomenon.choices)
    facts = TextField(10000, help_text="Waargenomen feiten")
    opinions = TextField(10000, required=False, help_text="Meningen en duidingen, gemarkeerd als mening")
    counter_indications = TextField(10000, required=False)
    online_component = serializers.BooleanField(required=False, default=False)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False, default=Urgency.NORMAL)
    observed_on = serializers.DateField(required=False, allow_null=True, default=None, validators=[validate_not_future])
    legal_basis, classification, visibility, data_category = provenance_input_fields().values()


class SignalSerializer(ShieldedMixin, serializers.ModelSerializer):
    """A signal; its content is null (and ``shielded`` true) for callers its provenance excludes."""

    content_fields = (
        "source_description",
        "facts",
        "opinions",
        "counter_indications",
        "reporter_name",
        "reporter_contact",
    )
    subject = SubjectSerializer(read_only=True)
    legal_basis = LegalBasisSerializer(read_only=True, allow_null=True)
    shielded = serializers.BooleanField(read_only=True, help_text="Inhoud afgeschermd voor de vrager")
    shielded_note = serializers.CharField(read_only=True, allow_null=True)
    weighing = serializers.UUIDField(source="weighing_id", read_only=True, allow_null=True)
    registered_by_organisation = serializers.CharField(source="registered_by_organisation.name", read_only=True)
    escalated_to_police = serializers.SerializerMethodField()
    # Empty for an aanmelding (art. 5 lid 1): only a melding has a reporter.
    reporter_kind = serializers.ChoiceField(choices=ReporterKind.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Signal
        fields = [
            "id",
            "reference",
            "status",
            "subject",
            "intake_route",
            "addressed_to",
            "reporter_kind",
            "reporter_name",
            "reporter_contact",
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
            "data_category",
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
