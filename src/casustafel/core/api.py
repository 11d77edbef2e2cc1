"""Shared API plumbing: RFC 9457 problem details, pagination, OpenAPI post-processing."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler

from .errors import api_status
from .tracing import current_trace_id

PROBLEM_CONTENT_TYPE = "application/problem+json"

_TITLES = {
    400: "Ongeldige invoer.",
    401: "Niet geauthenticeerd.",
    403: "Geen toestemming voor deze handeling.",
    404: "Niet gevonden.",
    405: "Methode niet toegestaan.",
    406: "Gevraagd formaat niet beschikbaar.",
    409: "Conflict met de huidige toestand.",
    415: "Niet-ondersteund mediatype.",
    429: "Te veel verzoeken.",
}


def _flatten(detail, prefix: str = "") -> list[dict]:
    """DRF/Django error structures → ``invalidParams`` entries naming each field."""
    params: list[dict] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "nonFieldErrors" if key in ("non_field_errors", "__all__") else key
            params.extend(_flatten(value, f"{prefix}.{name}" if prefix else name))
    elif isinstance(detail, list):
        for index, item in enumerate(detail):
            if isinstance(item, (dict, list)) and not isinstance(item, exceptions.ErrorDetail):
                params.extend(_flatten(item, f"{prefix}.{index}"))
            else:
                params.extend(_flatten(item, prefix))
    else:
        params.append(
            {"name": prefix or "nonFieldErrors", "code": getattr(detail, "code", "invalid"), "reason": str(detail)}
        )
    return params


def problem_response(status_code: int, detail: str | None = None, invalid_params=None, headers=None) -> Response:
    body = {
        "type": f"https://casustafel.example/problemen/{status_code}",
        "title": _TITLES.get(status_code, _("Fout.")),
        "status": status_code,
        "detail": detail or _TITLES.get(status_code, ""),
        "traceId": current_trace_id(),
    }
    if invalid_params:
        body["invalidParams"] = invalid_params
    return Response(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE, headers=headers)


def problem_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"nonFieldErrors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Niet gevonden."))
    elif isinstance(exc, PermissionDenied):
        if api_status(exc) == 404:
            exc = exceptions.NotFound(_("Niet gevonden."))
        else:
            exc = exceptions.PermissionDenied(exc.args[0] if exc.args else None)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        return problem_response(
            response.status_code,
            _("Een of meer velden zijn ongeldig."),
            _flatten(exc.detail),
            headers=dict(response.items()),
        )
    detail = exc.detail if isinstance(exc, exceptions.APIException) else None
    return problem_response(response.status_code, str(detail) if detail else None, headers=dict(response.items()))


class Pagination(PageNumberPagination):
    page_size_query_param = "pageSize"
    max_page_size = 200


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details, as every 4xx/5xx response returns them."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    traceId = serializers.CharField()  # noqa: N815 — wire name
    invalidParams = serializers.ListField(child=serializers.DictField(), required=False)  # noqa: N815


_PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "traceId": {"type": "string"},
        "invalidParams": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "code": {"type": "string"}, "reason": {"type": "string"}},
            },
        },
    },
}
_VERSION_HEADER = {"description": "Volledig versienummer van de API", "schema": {"type": "string", "example": "1.0.0"}}
_ERRORS = {
    "400": "Ongeldige invoer",
    "401": "Niet geauthenticeerd",
    "403": "Geen toestemming",
    "404": "Niet gevonden (of niet zichtbaar voor deze gebruiker)",
}


def postprocess_nl_api_rules(result, generator, request, public):
    """Make the document meet the NL API Design Rules: version header, problem+json,
    and the ``/openapi.json`` resource with its CORS header."""
    components = result.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = _PROBLEM_SCHEMA
    components.setdefault("headers", {})["API-Version"] = _VERSION_HEADER
    problem_ref = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code, response in list(responses.items()):
                if code.startswith(("2", "3")):
                    response.setdefault("headers", {})["API-Version"] = {"$ref": "#/components/headers/API-Version"}
                elif code.startswith(("4", "5")):
                    response["content"] = problem_ref
            for code, description in _ERRORS.items():
                if code == "400" and method == "get":
                    continue
                responses.setdefault(code, {"description": description, "content": problem_ref})
    result["paths"]["/openapi.json"] = {
        "get": {
            "operationId": "openapi_retrieve",
            "summary": "Het OpenAPI-document van deze API",
            "description": "Het OpenAPI 3.0-document van deze API, leesbaar vanaf elke origin (CORS).",
            "tags": ["openapi"],
            "security": [{}],
            "responses": {
                "200": {
                    "description": "OpenAPI 3.0-document",
                    "headers": {
                        "API-Version": {"$ref": "#/components/headers/API-Version"},
                        "access-control-allow-origin": {"schema": {"type": "string", "example": "*"}},
                    },
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        }
    }
    return result


__all__ = ["Pagination", "problem_exception_handler", "problem_response", "status"]
