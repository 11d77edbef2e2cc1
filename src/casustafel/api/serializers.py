"""Serializers shared by the API packages of the domain apps."""

from datetime import UTC

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from casustafel.subjects.models import Subject

#: Error responses every write operation may give besides the ones the schema hook adds.
WRITE_ERRORS = {415: OpenApiResponse(description="Niet-ondersteund mediatype (alleen application/json)")}

#: A change of a versioned record (ADR 0052): the ETag of the version read goes in If-Match.
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description='De ETag uit de GET van dit object (bijvoorbeeld W/"3"): de versie die u wijzigt.',
)
#: The same on a POST that replaces a part of a record (the minutes of an agenda item): optional.
IF_MATCH_OPTIONAL = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description='De versie die u vervangt (bijvoorbeeld W/"3"); is die intussen gewijzigd, dan 412.',
)
CONDITIONAL_ERRORS = {
    412: OpenApiResponse(description="Het object is intussen gewijzigd (If-Match klopt niet); niets opgeslagen"),
    428: OpenApiResponse(description="If-Match ontbreekt"),
}


class SubjectSerializer(serializers.ModelSerializer):
    """The person or organisation (betrokkene) as shown to those who may see them: never the raw BSN.

    ``municipality`` is the gemeente van verblijf (Wet PGA art. 1); a legal person carries its
    name, KvK number, RSIN and place of establishment (art. 2 lid 1).
    """

    masked_bsn = serializers.CharField(read_only=True, help_text="BSN gemaskeerd, bijvoorbeeld *****1234")

    class Meta:
        model = Subject
        fields = [
            "id",
            "kind",
            "given_names",
            "family_name",
            "date_of_birth",
            "gender",
            "municipality",
            "masked_bsn",
            "legal_name",
            "kvk_number",
            "rsin",
            "establishment_place",
        ]
        read_only_fields = fields


class DateTimeField(serializers.DateTimeField):
    """A moment with a time zone, between the years 1900 and 2200.

    Outside that range a date is a typing error, and at the edges of time (``0001-01-01``)
    the conversion to UTC would overflow; both answer a clear message instead.
    """

    default_error_messages = {"out_of_range": _("Geef een moment tussen 1900 en 2200.")}

    def to_internal_value(self, value):
        try:
            moment = super().to_internal_value(value)
            if not 1900 <= moment.astimezone(UTC).year <= 2200:
                self.fail("out_of_range")
        except OverflowError:
            self.fail("out_of_range")
        return moment


class TextField(serializers.CharField):
    """Free text with an enforced maximum length (PostgreSQL does not enforce it on TEXT)."""

    def __init__(self, max_length: int, *, required: bool = True, **kwargs):
        kwargs.setdefault("trim_whitespace", True)
        if not required:
            kwargs.setdefault("allow_blank", True)
            kwargs.setdefault("default", "")
        super().__init__(max_length=max_length, required=required, **kwargs)
