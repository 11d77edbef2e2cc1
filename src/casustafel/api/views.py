"""The OpenAPI document and the problem answer for unknown API paths."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.renderers import OpenApiJsonRenderer2
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from casustafel.core.api import PROBLEM_CONTENT_TYPE


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3.0 document (YAML by default, JSON on ``Accept: application/json``); public."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def handle_exception(self, exc):
        # Errors (e.g. 405) are problem+json, not rendered as an OpenAPI document.
        self.request.accepted_renderer, self.request.accepted_media_type = JSONRenderer(), PROBLEM_CONTENT_TYPE
        return super().handle_exception(exc)


class OpenApiJsonView(SchemaView):
    """``/openapi.json`` as the NL API Design Rules ask: JSON, readable from any origin."""

    renderer_classes = [OpenApiJsonRenderer2]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        return response


@extend_schema(exclude=True)
class NotFoundView(APIView):
    """Any other path under the API: a problem+json 404, whatever the method."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def initial(self, request, *args, **kwargs):
        raise exceptions.NotFound(_("Deze API-resource bestaat niet."))
