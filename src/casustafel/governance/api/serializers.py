"""Provenance on the wire: the legal basis, classification and visibility of an item,
and the shielding of items the caller may not see."""

from typing import Any

from rest_framework import serializers

from casustafel.access import policy
from casustafel.access.policy import Visibility
from casustafel.governance.models import Classification, DataCategory, LegalBasis
from casustafel.governance.selectors import shielded_note


class LegalBasisSerializer(serializers.ModelSerializer):
    to_be_confirmed = serializers.BooleanField(
        read_only=True, help_text="Te bevestigen: alleen van toepassing zodra in werking"
    )

    class Meta:
        model = LegalBasis
        fields = ["code", "label", "to_be_confirmed"]
        read_only_fields = fields


def provenance_input_fields() -> dict:
    """Input fields for signal and contribution creation (validated by the service)."""
    return {
        "legal_basis": serializers.SlugField(
            max_length=60,
            help_text="Code van de grondslag waarop uw organisatie dit deelt (verplicht; "
            "alleen grondslagen die voor uw soort organisatie beschikbaar zijn)",
        ),
        # A string, not an enum: a special category the law does not permit (art. 8) is refused
        # by name by the service (problem+json 400 naming this field), not as an unknown value.
        "classification": serializers.CharField(
            max_length=30,
            required=False,
            default=Classification.ORDINARY,
            help_text="Classificatie (art. 8 Wet PGA): ordinary, special_ethnicity, special_beliefs, "
            "special_health, criminal_law of ambtsbericht (alleen gemeente). Andere bijzondere "
            "categorieën worden geweigerd.",
        ),
        "visibility": serializers.ChoiceField(
            choices=Visibility.choices,
            required=False,
            help_text="Wie de inhoud mag zien; zonder keuze volgt die uit de categorie "
            "(h, sociale relaties: alleen de kernpartners)",
        ),
        "data_category": serializers.ChoiceField(
            choices=DataCategory.choices,
            required=False,
            default=DataCategory.SIGNALS,
            help_text="Categorie persoonsgegevens van art. 4 Wet PGA (a–h)",
        ),
    }


class ShieldedMixin:
    """Replace the content fields by null for callers who may not see the item (Action.ITEM_VIEW)."""

    content_fields: tuple[str, ...] = ()
    context: dict[str, Any]  # provided by the serializer this is mixed into

    def _shielded(self, instance) -> bool:
        request = self.context.get("request")
        if request is None:
            return True  # no caller known: show nothing (deny by default)
        return not policy.can(request.user, policy.Action.ITEM_VIEW, instance)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        shielded = self._shielded(instance)
        data["shielded"] = shielded
        data["shielded_note"] = shielded_note(instance) if shielded else None
        if shielded:
            for name in self.content_fields:
                data[name] = None
        return data
