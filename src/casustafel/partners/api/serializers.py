"""Partner systems on the wire: an aanmelding in, identifiers out; webhook subscriptions and their log."""

from rest_framework import serializers

from casustafel.signals.api.serializers import SignalCreateSerializer

from ..models import EventType, WebhookAttempt, WebhookDelivery, WebhookSubscription


class ReferralCreateSerializer(SignalCreateSerializer):
    """An aanmelding by a participant (Wet PGA art. 5 lid 1): the registering participant is the
    client's organisation, so there is no reporter and no choice of way in."""

    intake_route = None  # type: ignore[assignment]  # DRF: None removes an inherited field
    reporter_kind = None  # type: ignore[assignment]
    reporter_name = None  # type: ignore[assignment]
    reporter_contact = None  # type: ignore[assignment]


class ReferralSerializer(serializers.Serializer):
    """The registered aanmelding: identifiers and state only, never personal data."""

    id = serializers.UUIDField(read_only=True, help_text="UUID van het signaal")
    reference = serializers.CharField(read_only=True, help_text="Kenmerk (SIG-…)")
    status = serializers.CharField(read_only=True)
    registered_at = serializers.DateTimeField(read_only=True)
    trace_id = serializers.CharField(read_only=True, help_text="Trace-id (W3C traceparent) van de indiening")
    wgs_registration = serializers.BooleanField(
        read_only=True,
        help_text="Aanmelding van een Zorg- en Veiligheidshuis: de regels van de Wgs gelden tot de weging haar oppakt",
    )


class SubscriptionCreateSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500, help_text="https-adres dat de gebeurtenissen ontvangt")
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices), min_length=1, max_length=len(EventType.choices)
    )


class SubscriptionSerializer(serializers.ModelSerializer):
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=EventType.choices), read_only=True)

    class Meta:
        model = WebhookSubscription
        fields = ["id", "url", "event_types", "created_at", "ended_at"]
        read_only_fields = fields


class NewSubscriptionSerializer(SubscriptionSerializer):
    secret = serializers.CharField(read_only=True, help_text="Ondertekeningsgeheim; wordt alleen nu getoond")

    class Meta(SubscriptionSerializer.Meta):
        fields = [*SubscriptionSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["at", "status_code", "error", "duration_ms"]
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer):
    event_type = serializers.CharField(read_only=True, help_text="Soort gebeurtenis (zie event_types)")
    attempt_log = AttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "event_id",
            "event_type",
            "created_at",
            "attempts",
            "next_attempt_at",
            "delivered_at",
            "given_up_at",
            "last_status",
            "last_error",
            "attempt_log",
        ]
        read_only_fields = fields
