"""The integral weighing on the wire: criteria, contributions, decision."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from casustafel.access import policy
from casustafel.accounts.models import Organisation, User
from casustafel.api.serializers import SubjectSerializer, TextField
from casustafel.governance.api.serializers import LegalBasisSerializer, ShieldedMixin, provenance_input_fields

from ..models import (
    Assessment,
    Consultation,
    Contribution,
    CriteriaFramework,
    Criterion,
    CriterionAssessment,
    Decision,
    DecisionConfirmation,
    Outcome,
    ReferralTarget,
    Weighing,
)
from ..services import missing_parties


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Criterion
        fields = ["code", "label", "guidance"]


class FrameworkSerializer(serializers.ModelSerializer):
    criteria = CriterionSerializer(many=True, read_only=True)

    class Meta:
        model = CriteriaFramework
        fields = ["id", "version", "name", "valid_from", "criteria"]


class AssessmentSerializer(serializers.ModelSerializer):
    criterion = serializers.CharField(source="criterion.code", read_only=True)

    class Meta:
        model = CriterionAssessment
        fields = ["criterion", "assessment", "reasons"]


class ContributionSerializer(ShieldedMixin, serializers.ModelSerializer):
    """A contribution; its content is null (and ``shielded`` true) for callers its provenance excludes."""

    content_fields = ("contributor", "holds_information", "information", "view", "view_rationale", "assessments")
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    legal_basis = LegalBasisSerializer(read_only=True, allow_null=True)
    shielded = serializers.BooleanField(read_only=True, help_text="Inhoud afgeschermd voor de vrager")
    shielded_note = serializers.CharField(read_only=True, allow_null=True)
    contributor = serializers.CharField(source="contributor.display_name", read_only=True)
    assessments = AssessmentSerializer(many=True, read_only=True)

    class Meta:
        model = Contribution
        fields = [
            "id",
            "party",
            "organisation",
            "contributor",
            "holds_information",
            "information",
            "view",
            "view_rationale",
            "assessments",
            "updated_at",
            "version",
            "legal_basis",
            "classification",
            "visibility",
            "data_category",
            "shielded",
            "shielded_note",
        ]


class DecisionConfirmationSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = DecisionConfirmation
        fields = ["party", "organisation", "agrees", "reason", "confirmed_at"]


class DecisionConfirmationCreateSerializer(serializers.Serializer):
    agrees = serializers.BooleanField(help_text="Onderschrijft uw partij het voorgestelde besluit?")
    reason = TextField(5000, required=False, help_text="Toelichting; verplicht bij niet onderschrijven")


class DecisionSerializer(serializers.ModelSerializer):
    case = serializers.SerializerMethodField(help_text="De casus die dit besluit opende (bij opnemen)")
    confirmations = DecisionConfirmationSerializer(
        many=True, read_only=True, help_text="Bevestigingen door gemeente, politie en OM (art. 5 lid 3 Wet PGA)"
    )

    class Meta:
        model = Decision
        fields = [
            "id",
            "outcome",
            "referral_target",
            "rationale",
            "dissent",
            "information_deadline",
            "decided_at",
            "status",
            "effective_at",
            "confirmations",
            "case",
        ]

    def get_case(self, decision) -> str | None:
        case = getattr(decision, "case", None)
        return str(case.pk) if case else None


class ConsultationSerializer(serializers.ModelSerializer):
    """A consultation of another participant by the weegploeg (art. 5 lid 3 Wet PGA)."""

    organisation = serializers.CharField(source="organisation.name", read_only=True)
    organisation_id = serializers.UUIDField(source="organisation.pk", read_only=True)
    consulting_organisation = serializers.CharField(source="consulting_organisation.name", read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.display_name", read_only=True)
    awaiting_answer = serializers.BooleanField(read_only=True, help_text="Het antwoord is nog niet vastgelegd")

    class Meta:
        model = Consultation
        fields = [
            "id",
            "organisation",
            "organisation_id",
            "consulted_on",
            "question",
            "answer",
            "awaiting_answer",
            "consulting_organisation",
            "recorded_by",
            "recorded_at",
            "answer_recorded_at",
        ]


class ConsultationCreateSerializer(serializers.Serializer):
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.none(),
        help_text="De geraadpleegde organisatie van deze casustafel (niet gemeente, politie of OM)",
    )
    consulted_on = serializers.DateField(help_text="Datum van de raadpleging (niet in de toekomst)")
    question = TextField(2000, help_text="De voorgelegde vraag")
    answer = TextField(2000, required=False, help_text="Antwoord of samenvatting; leeg: wacht op antwoord")

    def __init__(self, *args, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the table's own organisations can be named (nothing else is disclosed).
        self.fields["organisation"].queryset = Organisation.objects.filter(region=region)


class ConsultationAnswerSerializer(serializers.Serializer):
    answer = TextField(2000, help_text="Antwoord van de geraadpleegde organisatie, of een samenvatting")


class WeighingSignalSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()
    status = serializers.CharField()


class WeighingSerializer(serializers.ModelSerializer):
    subject = SubjectSerializer(read_only=True)
    framework = FrameworkSerializer(read_only=True)
    signals = WeighingSignalSerializer(many=True, read_only=True)
    contributions = ContributionSerializer(many=True, read_only=True)
    decisions = DecisionSerializer(many=True, read_only=True)
    consultations = ConsultationSerializer(
        many=True,
        read_only=True,
        source="consultation_list",
        help_text="Raadplegingen van overige deelnemers (art. 5 lid 3 Wet PGA)",
    )
    missing_parties = serializers.SerializerMethodField(
        help_text="Partijen van de weegploeg waarvan (hernieuwde) inbreng nog ontbreekt"
    )

    class Meta:
        model = Weighing
        fields = [
            "id",
            "reference",
            "status",
            "subject",
            "framework",
            "signals",
            "contributions",
            "missing_parties",
            "decisions",
            "consultations",
            "opened_at",
            "signals_changed_at",
            "information_deadline",
        ]

    def get_missing_parties(self, weighing) -> list[str]:
        return missing_parties(weighing, weighing.contributions.all())


class AssessmentInputSerializer(serializers.Serializer):
    criterion = serializers.SlugField(max_length=60, help_text="Code van het criterium in het wegingskader")
    assessment = serializers.ChoiceField(choices=Assessment.choices)
    reasons = TextField(5000)


class ContributionCreateSerializer(serializers.Serializer):
    """The contribution of the caller's own party, with every criterion assessed."""

    holds_information = serializers.BooleanField()
    information = TextField(10000, required=False)
    view = serializers.ChoiceField(choices=Outcome.choices)
    view_rationale = TextField(5000)
    assessments = AssessmentInputSerializer(many=True)
    legal_basis, classification, visibility, data_category = provenance_input_fields().values()

    def validate_assessments(self, value):
        codes = [item["criterion"] for item in value]
        if len(codes) != len(set(codes)):
            raise serializers.ValidationError(_("Beoordeel elk criterium één keer."))
        return value


class ParticipantInputSerializer(serializers.Serializer):
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.none())
    reason = TextField(2000)
    legal_basis = serializers.CharField(
        max_length=60,
        required=False,
        allow_blank=True,
        default="",
        help_text="Grondslag voor deelname (verplicht voor de NCTV)",
    )


class DecisionCreateSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    rationale = TextField(10000)
    dissent = TextField(5000, required=False)
    referral_target = serializers.ChoiceField(
        choices=ReferralTarget.choices, required=False, allow_blank=True, default=""
    )
    information_deadline = serializers.DateField(required=False, allow_null=True, default=None)
    case_director = serializers.SlugRelatedField(
        slug_field="username",
        queryset=User.objects.none(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Gebruikersnaam van de casusregisseur (bij opnemen)",
    )
    participants = ParticipantInputSerializer(
        many=True, required=False, default=list, help_text="Extra deelnemende organisaties (bij opnemen)"
    )

    def __init__(self, *args, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the table's own people and organisations can be named (nothing else is disclosed).
        self.fields["case_director"].queryset = policy.case_director_candidates(region)
        self.fields["participants"].child.fields["organisation"].queryset = Organisation.objects.filter(region=region)
