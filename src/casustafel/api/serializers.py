"""Serializers shared by the API packages of the domain apps."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from casustafel.subjects.models import Subject

#: Error responses every write operation may give besides the ones the schema hook adds.
WRITE_ERRORS = {415: OpenApiResponse(description="Niet-ondersteund mediatype (alleen application/json)")}


class SubjectSerializer(serializers.ModelSerializer):
    """The person (betrokkene) as shown to those who may see them: never the raw BSN."""

    masked_bsn = serializers.CharField(read_only=True, help_text="BSN gemaskeerd, bijvoorbeeld *****1234")

    class Meta:
        model = Subject
        fields = ["id", "given_names", "family_name", "date_of_birth", "gender", "municipality", "masked_bsn"]
        read_only_fields = fields


class TextField(serializers.CharField):
    """Free text with an enforced maximum length (PostgreSQL does not enforce it on TEXT)."""

    def __init__(self, max_length: int, *, required: bool = True, **kwargs):
        kwargs.setdefault("trim_whitespace", True)
        if not required:
            kwargs.setdefault("allow_blank", True)
            kwargs.setdefault("default", "")
        super().__init__(max_length=max_length, required=required, **kwargs)
