"""API shapes of the case journal."""

from rest_framework import serializers

from casustafel.api.serializers import TextField
from casustafel.governance.api.serializers import provenance_input_fields
from casustafel.governance.models import DataCategory

from ..models import TEXT_LIMIT


class JournalEntrySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField(help_text="update of correction")
    text = serializers.CharField()
    corrects = serializers.UUIDField(source="corrects_id", allow_null=True, help_text="De notitie die dit corrigeert")
    organisation = serializers.CharField(source="organisation.name", help_text="Aanleverende organisatie")
    author = serializers.CharField(source="author.display_name")
    legal_basis = serializers.CharField(source="legal_basis.code")
    classification = serializers.CharField()
    visibility = serializers.CharField()
    data_category = serializers.CharField()
    created_at = serializers.DateTimeField()


class JournalEntryCreateSerializer(serializers.Serializer):
    text = TextField(TEXT_LIMIT)
    corrects = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Een eigen notitie die deze correctie vervangt (art. 10 Wet PGA); het origineel blijft staan",
    )

    def get_fields(self):
        fields = super().get_fields()
        fields.update(provenance_input_fields())
        fields["data_category"] = serializers.ChoiceField(
            choices=DataCategory.choices,
            required=False,
            default=DataCategory.PLAN_OF_ACTION,
            help_text="Categorie persoonsgegevens van art. 4 Wet PGA (a–h); standaard e, plan van aanpak",
        )
        return fields
