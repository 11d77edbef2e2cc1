"""Plans on the wire: the plan with goals, interventions (with delivery and drift), conflicts, reviews."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casustafel.accounts.models import Organisation
from casustafel.api.serializers import TextField

from .. import selectors, services
from ..models import Goal, Instrument, LifeDomain, Review, Score


class OrganisationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "kind", "name"]


class GoalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Goal
        fields = ["id", "domain", "description", "created_at"]


class ContactSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    date = serializers.DateField()
    held = serializers.BooleanField()
    note = serializers.CharField()


class InterventionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    measure = serializers.CharField(source="entry.code", help_text="Code in de catalogus")
    name = serializers.CharField(source="entry.name")
    organisation = OrganisationRefSerializer()
    legal_basis = serializers.CharField()
    enforced = serializers.BooleanField()
    starts_on = serializers.DateField()
    planned_end = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True)
    planned_sessions = serializers.IntegerField()
    contacts = ContactSerializer(many=True)
    drift = serializers.SerializerMethodField(help_text="Waarom de interventie achterblijft (leeg: op schema)")

    def get_drift(self, obj) -> list[str]:
        return selectors.drift_reasons(obj)


class ConflictSerializer(serializers.Serializer):
    rule = serializers.CharField(source="rule.code")
    measures = serializers.ListField(child=serializers.CharField())
    explanation = serializers.CharField(source="rule.explanation")
    coordination = serializers.CharField(source="rule.coordination")
    acknowledged = serializers.SerializerMethodField()
    acknowledgement_reason = serializers.SerializerMethodField()

    def get_acknowledged(self, obj) -> bool:
        return obj.acknowledgement is not None

    def get_acknowledgement_reason(self, obj) -> str:
        return obj.acknowledgement.reason if obj.acknowledgement else ""


class ScoreSerializer(serializers.Serializer):
    goal = serializers.UUIDField(source="goal_id")
    score = serializers.IntegerField()


class ReviewSerializer(serializers.ModelSerializer):
    scores = ScoreSerializer(many=True, read_only=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "held_on",
            "narrative",
            "instrument",
            "assessor",
            "assessed_on",
            "conclusion",
            "scenarios",
            "scores",
        ]


class CoordinationTaskSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    rule = serializers.CharField(source="rule.code", allow_null=True, help_text="Code van de interferentieregel")
    description = serializers.CharField()
    owner = OrganisationRefSerializer()
    due_on = serializers.DateField()
    done = serializers.BooleanField()
    done_at = serializers.DateTimeField(allow_null=True)
    done_by = serializers.CharField(source="done_by.display_name", allow_null=True, default=None)
    outcome = serializers.CharField(help_text="Wat is er afgesproken (bij afronden)")


class CheckInSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    months = serializers.IntegerField(help_text="Maanden na afsluiting (6 of 12)")
    due_on = serializers.DateField()
    opens_on = serializers.SerializerMethodField(help_text="Vanaf deze datum kan het worden vastgelegd")
    held_on = serializers.DateField(source="done_on", allow_null=True)
    organisation = OrganisationRefSerializer(allow_null=True)
    new_concerns = serializers.BooleanField(allow_null=True)
    note = serializers.CharField()
    follow_up = serializers.SerializerMethodField(help_text="Wat te doen bij nieuwe zorgen (leeg: niets)")

    def get_opens_on(self, obj) -> str:
        return services.checkin_opens_on(obj).isoformat()

    def get_follow_up(self, obj) -> str:
        return services.checkin_follow_up(obj)


class PlanSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    next_review_due = serializers.DateField()
    goals = GoalSerializer(many=True, source="goals.all")
    interventions = InterventionSerializer(many=True, source="interventions.all")
    conflicts = serializers.SerializerMethodField()
    reviews = ReviewSerializer(many=True, source="reviews.all")
    coordination_tasks = CoordinationTaskSerializer(many=True, source="coordination_tasks.all")
    checkins = CheckInSerializer(
        many=True, source="case.checkins.all", help_text="Opvolgmomenten na afsluiting (6 en 12 maanden)"
    )

    @extend_schema_field(ConflictSerializer(many=True))
    def get_conflicts(self, obj):
        return ConflictSerializer(selectors.conflicts(obj), many=True).data


class GoalCreateSerializer(serializers.Serializer):
    domain = serializers.ChoiceField(choices=LifeDomain.choices)
    description = TextField(2000)


class InterventionCreateSerializer(serializers.Serializer):
    measure = serializers.SlugField(max_length=60, help_text="Code van de maatregel in de catalogus")
    organisation = serializers.UUIDField(help_text="Id van een bevoegde organisatie van deze casustafel")
    starts_on = serializers.DateField()
    planned_end = serializers.DateField()
    planned_sessions = serializers.IntegerField(min_value=0, max_value=1000, default=0)


class ContactCreateSerializer(serializers.Serializer):
    intervention = serializers.UUIDField()
    date = serializers.DateField()
    held = serializers.BooleanField()
    note = TextField(2000, required=False)


class AcknowledgementCreateSerializer(serializers.Serializer):
    rule = serializers.SlugField(max_length=60, help_text="Code van de interferentieregel")
    reason = TextField(2000)
    coordination = TextField(2000, required=False, help_text="Afstemmingsactie (optioneel)")
    owner = serializers.UUIDField(
        required=False, allow_null=True, default=None, help_text="Eigenaar van de afstemmingsactie"
    )
    due_on = serializers.DateField(required=False, allow_null=True, default=None)


class AcknowledgementSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    rule = serializers.CharField(source="rule.code")
    reason = serializers.CharField()
    at = serializers.DateTimeField()


class ScoreCreateSerializer(serializers.Serializer):
    goal = serializers.UUIDField()
    score = serializers.ChoiceField(choices=Score.choices)


class ReviewCreateSerializer(serializers.Serializer):
    held_on = serializers.DateField()
    narrative = TextField(10000)
    scores = ScoreCreateSerializer(many=True)
    instrument = serializers.ChoiceField(choices=Instrument.choices, required=False, allow_blank=True, default="")
    assessor = TextField(200, required=False)
    assessed_on = serializers.DateField(required=False, allow_null=True, default=None)
    conclusion = TextField(4000, required=False)
    scenarios = TextField(4000, required=False)


class TaskCompleteSerializer(serializers.Serializer):
    outcome = TextField(2000, help_text="Wat is er afgesproken")


class CheckInRecordSerializer(serializers.Serializer):
    held_on = serializers.DateField(help_text="Datum van het gesprek")
    organisation = serializers.UUIDField(help_text="Id van de organisatie van deze casustafel waarmee is gesproken")
    new_concerns = serializers.BooleanField(help_text="Zijn er nieuwe zorgen?")
    note = TextField(2000, help_text="Korte notitie")
