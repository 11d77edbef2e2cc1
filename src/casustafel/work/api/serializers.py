from rest_framework import serializers

from ..queue import SOURCES


class WorkItemSerializer(serializers.Serializer):
    """One task: its kind, a reference and a link — never a name or case content."""

    kind = serializers.ChoiceField(choices=[(k, str(s.label)) for k, s in SOURCES.items()], read_only=True)
    task = serializers.CharField(read_only=True, help_text="Wat er gevraagd wordt (Nederlands).")
    reference = serializers.CharField(read_only=True, help_text="Kenmerk van de weging, casus, signaal of het verzoek.")
    due_on = serializers.DateField(read_only=True, allow_null=True, help_text="Termijn.")
    overdue = serializers.BooleanField(read_only=True)
    acute = serializers.BooleanField(read_only=True)
    url = serializers.CharField(read_only=True, help_text="Pad van de pagina waar de taak wordt gedaan.")


class WorkKindSerializer(serializers.Serializer):
    kind = serializers.CharField(read_only=True)
    task = serializers.CharField(read_only=True, help_text="Wat er gevraagd wordt (Nederlands).")
    total = serializers.IntegerField(read_only=True, help_text="Alle taken van deze soort (getoond: ten hoogste 25).")


class WorkQueueSerializer(serializers.Serializer):
    items = WorkItemSerializer(many=True, read_only=True)
    kinds = WorkKindSerializer(many=True, read_only=True)
    total = serializers.IntegerField(read_only=True)
    overdue = serializers.IntegerField(read_only=True)
