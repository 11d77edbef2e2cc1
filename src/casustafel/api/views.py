"""The OpenAPI document and the problem answer for unknown API paths."""

import functools
import json
from pathlib import Path

import yaml
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from casustafel.core.api import PROBLEM_CONTENT_TYPE

#: The committed document, generated from the code and checked against it by
#: tests/api/test_openapi.py (``django-admin spectacular ... --file`` regenerates it).
OPENAPI_DOCUMENT = Path(__file__).with_name("openapi.yaml")


@functools.cache
def committed_document(fmt: str) -> bytes:
    """The committed document as served: its own bytes (``yaml``) or the same content as JSON.

    Read once per process: generating the document per request took about 90 ms."""
    content = OPENAPI_DOCUMENT.read_bytes()
    if fmt == "yaml":
        return content
    if hasattr(yaml, "CSafeLoader"):  # libyaml, in PyYAML's wheels: ten times faster than pure Python
        document = yaml.load(content, Loader=yaml.CSafeLoader)
    else:
        document = yaml.safe_load(content)
    return json.dumps(document, ensure_ascii=False, indent=4).encode()


class _CommittedDocumentRenderer(BaseRenderer):
    """Passes the committed bytes through; the media types are drf-spectacular's."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class YamlDocumentRenderer(_CommittedDocumentRenderer):
    media_type = "application/vnd.oai.openapi"
    format = "yaml"


class YamlDocumentRenderer2(YamlDocumentRenderer):
    media_type = "application/yaml"


class JsonDocumentRenderer(_CommittedDocumentRenderer):
    media_type = "application/vnd.oai.openapi+json"
    format = "json"
    charset = None  # JSON is UTF-8 by definition (RFC 8259)


class JsonDocumentRenderer2(JsonDocumentRenderer):
    media_type = "application/json"


@extend_schema(exclude=True)  # /openapi.json is described by core.api.postprocess_nl_api_rules
class SchemaView(APIView):
    """The OpenAPI 3.0 document (YAML by default, JSON on ``Accept: application/json``); public."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [YamlDocumentRenderer, YamlDocumentRenderer2, JsonDocumentRenderer, JsonDocumentRenderer2]

    def get(self, request, *args, **kwargs):
        return Response(committed_document(request.accepted_renderer.format))

    def handle_exception(self, exc):
        # Errors (e.g. 405) are problem+json, not rendered as an OpenAPI document.
        self.request.accepted_renderer, self.request.accepted_media_type = JSONRenderer(), PROBLEM_CONTENT_TYPE
        return super().handle_exception(exc)


class OpenApiJsonView(SchemaView):
    """``/openapi.json`` as the NL API Design Rules ask: JSON, readable from any origin."""

    renderer_classes = [JsonDocumentRenderer2]

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
