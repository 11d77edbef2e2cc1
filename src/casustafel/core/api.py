"""Shared API plumbing: RFC 9457 problem details, pagination, OpenAPI post-processing."""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler

from .errors import PolicyDenied, RequestConflict, announce_refusal, api_status
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
    412: "Het object is intussen gewijzigd.",
    428: "Voorwaarde (If-Match) ontbreekt.",
    413: "Aanvraag te groot.",
    500: "Interne fout.",
    415: "Niet-ondersteund mediatype.",
    422: "Verzoek niet verwerkbaar.",
    429: "Te veel verzoeken.",
}


#: Field errors whose standard message repeats the raw input (DRF: ``"{input}" is not a valid
#: choice``, ``Invalid pk "{pk_value}"``): answered with a fixed message instead, so an error
#: never echoes what was sent — no personal data, no unencodable text (lone surrogates).
_NO_ECHO = {
    "invalid_choice": _lazy("Kies een van de toegestane waarden."),
    "does_not_exist": _lazy("Dit object bestaat niet of is voor u niet beschikbaar."),
    "incorrect_type": _lazy("Dit veld heeft een verkeerd type."),
    "incorrect_match": _lazy("Dit object bestaat niet of is voor u niet beschikbaar."),
    "no_match": _lazy("Dit object bestaat niet of is voor u niet beschikbaar."),
}


def _reason(detail) -> str:
    code = getattr(detail, "code", None)
    text = str(_NO_ECHO[code]) if code in _NO_ECHO else str(detail)
    return text.encode("utf-8", "replace").decode("utf-8")


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
            {"name": prefix or "nonFieldErrors", "code": getattr(detail, "code", "invalid"), "reason": _reason(detail)}
        )
    return params


def problem_response(status_code: int, detail: str | None = None, invalid_params=None, headers=None) -> Response:
    body = {
        "type": f"https://casustafel.example/problemen/{status_code}",
        "title": _TITLES.get(status_code, _("Fout.")),
        "status": status_code,
        "detail": str(detail or _TITLES.get(status_code, "")),
        "traceId": current_trace_id(),
    }
    if invalid_params:
        body["invalidParams"] = invalid_params
    return Response(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE, headers=headers)


def problem_json(status_code: int, detail: str | None = None) -> HttpResponse:
    """A problem answered outside DRF (Django's error handlers): the same body, plain Django."""
    response = problem_response(status_code, detail)
    return HttpResponse(
        json.dumps(response.data, ensure_ascii=False), status=status_code, content_type=PROBLEM_CONTENT_TYPE
    )


def problem_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"nonFieldErrors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Niet gevonden."))
    elif isinstance(exc, RequestConflict):
        return problem_response(exc.status, str(exc))
    elif isinstance(exc, RequestDataTooBig):
        return problem_response(413, _("De aanvraag is te groot."))
    elif isinstance(exc, PermissionDenied):
        if isinstance(exc, PolicyDenied) and context.get("request") is not None:
            announce_refusal(context["request"], exc, via_api=True)
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


_ETAG_HEADER = {
    "description": 'Versie van het object (ADR 0052), bijvoorbeeld W/"3"; terug te geven in If-Match bij een wijziging',
    "schema": {"type": "string", "example": 'W/"3"'},
}


def _etag_headers(operations: dict) -> None:
    """A path whose change requires If-Match (a versioned record): its GET and that change
    answer the record's ETag (ADR 0052)."""
    conditional = [
        operation
        for method, operation in operations.items()
        if method in {"put", "patch"}
        and any(p.get("in") == "header" and p.get("name") == "If-Match" for p in operation.get("parameters", []))
    ]
    if not conditional:
        return
    for operation in [*conditional, operations.get("get") or {}]:
        for code, response in operation.get("responses", {}).items():
            if code.startswith("2"):
                response.setdefault("headers", {})["ETag"] = _ETAG_HEADER


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
        _etag_headers(operations)
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
