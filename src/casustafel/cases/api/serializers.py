"""Cases on the wire: the case, its participants and transitions."""

from rest_framework import serializers

from casustafel.access import policy
from casustafel.accounts.models import Organisation, Region, User
from casustafel.api.serializers import SubjectSerializer, TextField
from casustafel.governance.api.serializers import LegalBasisSerializer

from .. import states
from ..models import (
    Capacity,
    Case,
    CaseParticipant,
    CaseTransfer,
    CaseTransition,
    ClosureReason,
    PlanRole,
    ThirdPartyAdmission,
    ThirdPartyConfirmation,
    ThirdPartyData,
)

#: Case states with their labels (named ``CaseStatusEnum`` in the OpenAPI document).
STATUS_CHOICES = list(states.CASE_MACHINE.labels.items())


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "kind", "name"]


class ParticipantSerializer(serializers.ModelSerializer):
    organisation = OrganisationSerializer(read_only=True)
    legal_basis = LegalBasisSerializer(read_only=True, allow_null=True, help_text="Grondslag voor deelname")
    capacity = serializers.ChoiceField(
        choices=Capacity.choices, read_only=True, help_text="Deelnemer (art. 3 lid 1) of derde (art. 3 lid 3)"
    )
    necessary_data = serializers.ListField(
        child=serializers.ChoiceField(choices=ThirdPartyData.choices),
        read_only=True,
        help_text="Voor een derde: de gegevens die als noodzakelijk zijn aangemerkt",
    )

    class Meta:
        model = CaseParticipant
        fields = ["id", "organisation", "capacity", "reason", "added_at", "legal_basis", "necessary_data"]


class TransitionSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.display_name", read_only=True)

    class Meta:
        model = CaseTransition
        fields = ["source", "target", "closure_reason", "reason", "open_work_override", "by", "at"]


class CaseSerializer(serializers.ModelSerializer):
    """A case; ``subject`` is null for a third party for whom identifying data were not marked
    necessary (Wet PGA art. 3 lid 3)."""

    subject = SubjectSerializer(read_only=True, allow_null=True)
    case_director = serializers.CharField(source="case_director.display_name", read_only=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or not policy.can(request.user, policy.Action.CASE_IDENTITY_VIEW, instance):
            data["subject"] = None
        return data

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "status",
            "subject",
            "case_director",
            "closure_reason",
            "opened_at",
            "status_changed_at",
        ]


class CaseDetailSerializer(CaseSerializer):
    participants = ParticipantSerializer(many=True, read_only=True)
    transitions = TransitionSerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "participants", "transitions"]


class _JoiningOrganisationSerializer(serializers.Serializer):
    """An organisation of the case's table joining it, with the NCTV's participation basis."""

    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.none(), help_text="Id van een organisatie van deze casustafel"
    )
    legal_basis = serializers.CharField(
        max_length=60,
        required=False,
        allow_blank=True,
        default="",
        help_text="Grondslag voor deelname (verplicht voor de NCTV)",
    )

    def __init__(self, *args, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(region=region)


class ParticipantCreateSerializer(_JoiningOrganisationSerializer):
    """A participant of art. 3 lid 1 Wet PGA (a third party is refused: see third parties)."""

    reason = TextField(2000, help_text="Reden van betrokkenheid")


class CaseTransitionCreateSerializer(serializers.Serializer):
    target = serializers.ChoiceField(choices=STATUS_CHOICES)
    reason = TextField(2000)
    closure_reason = serializers.ChoiceField(
        choices=ClosureReason.choices, required=False, allow_blank=True, default=""
    )
    override_open_work = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Bij afsluiten terwijl er nog werk openstaat: waarom de casus toch wordt afgesloten.",
    )


class CaseFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=STATUS_CHOICES, required=False)


class RegionSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    name = serializers.CharField(read_only=True)


class CaseTransferSerializer(serializers.ModelSerializer):
    """A transfer as the parties see it: no case content beyond the reference and municipality."""

    case_reference = serializers.CharField(read_only=True)
    municipality = serializers.CharField(read_only=True, help_text="Woongemeente van de betrokkene")
    from_region = RegionSerializer(read_only=True)
    to_region = RegionSerializer(read_only=True)
    proposed_by = serializers.CharField(source="proposed_by.display_name", read_only=True)
    decided_by = serializers.CharField(source="decided_by.display_name", read_only=True, allow_null=True)

    class Meta:
        model = CaseTransfer
        fields = [
            "id",
            "case_reference",
            "municipality",
            "from_region",
            "to_region",
            "reason",
            "proposed_by",
            "proposed_at",
            "status",
            "decided_by",
            "decided_at",
            "decision_reason",
        ]


class CaseTransferCreateSerializer(serializers.Serializer):
    to_region = serializers.PrimaryKeyRelatedField(
        queryset=Region.objects.all(), help_text="Id van de ontvangende casustafel (regio)"
    )
    reason = TextField(2000, help_text="Reden van de overdracht")


class CaseTransferDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("accept", "Aanvaarden"), ("decline", "Afwijzen")])
    reason = TextField(2000, required=False, help_text="Toelichting; verplicht bij afwijzen")
    case_director = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Id van een casusregisseur van de ontvangende casustafel; verplicht bij aanvaarden",
    )

    def __init__(self, *args, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case_director"].queryset = policy.case_director_candidates(region)


class ThirdPartyConfirmationSerializer(serializers.ModelSerializer):
    organisation = OrganisationSerializer(read_only=True)
    confirmed_by = serializers.CharField(source="confirmed_by.display_name", read_only=True)

    class Meta:
        model = ThirdPartyConfirmation
        fields = ["party", "organisation", "agrees", "reason", "confirmed_by", "confirmed_at"]


class ThirdPartyAdmissionSerializer(serializers.ModelSerializer):
    """The admission of a third party to one case (art. 3 lid 3): no case content but the reference."""

    case = serializers.UUIDField(source="case_id", read_only=True)
    case_reference = serializers.CharField(source="case.reference", read_only=True)
    organisation = OrganisationSerializer(read_only=True)
    plan_roles = serializers.ListField(child=serializers.ChoiceField(choices=PlanRole.choices), read_only=True)
    necessary_data = serializers.ListField(
        child=serializers.ChoiceField(choices=ThirdPartyData.choices), read_only=True
    )
    legal_basis = LegalBasisSerializer(read_only=True, allow_null=True)
    proposed_by = serializers.CharField(source="proposed_by.display_name", read_only=True)
    confirmations = ThirdPartyConfirmationSerializer(many=True, read_only=True)

    class Meta:
        model = ThirdPartyAdmission
        fields = [
            "id",
            "case",
            "case_reference",
            "organisation",
            "expertise",
            "plan_roles",
            "necessary_data",
            "legal_basis",
            "status",
            "proposed_by",
            "proposed_at",
            "decided_at",
            "confirmations",
        ]


class ThirdPartyCreateSerializer(_JoiningOrganisationSerializer):
    """A third party proposed for one case (art. 3 lid 3 Wet PGA)."""

    expertise = TextField(2000, help_text="De deskundigheid die voor deze casus nodig is")
    plan_roles = serializers.ListField(
        child=serializers.ChoiceField(choices=PlanRole.choices),
        min_length=1,
        max_length=3,
        help_text="Rol bij het opstellen, uitvoeren of evalueren van het plan van aanpak",
    )
    necessary_data = serializers.ListField(
        child=serializers.ChoiceField(choices=ThirdPartyData.choices),
        min_length=1,
        max_length=2,
        help_text="Gegevens die voor de derde noodzakelijk zijn",
    )


class ThirdPartyConfirmationCreateSerializer(serializers.Serializer):
    agrees = serializers.BooleanField(help_text="Laat uw partij de derde toe?")
    reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Verplicht als uw partij de derde niet toelaat",
    )
