"""Request plumbing: tracing, the API version header, and the security headers of every response."""

import logging

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.utils.cache import patch_cache_control

from .tracing import current_trace_id, new_span_id, new_trace_id, parse_traceparent, reset_trace_id, set_trace_id


class TraceMiddleware:
    """Accept a W3C ``traceparent`` or start a trace; return it on the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        trace_id = parse_traceparent(request.headers.get("traceparent")) or new_trace_id()
        token = set_trace_id(trace_id)
        try:
            response = self.get_response(request)
        finally:
            reset_trace_id(token)
        response["traceparent"] = f"00-{trace_id}-{new_span_id()}-01"
        return response


class ApiVersionMiddleware:
    """NL API Design Rule /core/version-header: every API response names the full version."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/"):
            response["API-Version"] = settings.API_VERSION
        return response


def is_api_request(request) -> bool:
    return request.path_info.startswith("/api/")


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp with two policies: ``CONTENT_SECURITY_POLICY`` for pages and static files,
    ``CASUSTAFEL_API_CONTENT_SECURITY_POLICY`` (nothing may load) for every API response."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and parts.config is None and is_api_request(request):
            parts.config = settings.CASUSTAFEL_API_CONTENT_SECURITY_POLICY["DIRECTIVES"]
        return parts


class PermissionsPolicyMiddleware:
    """``Permissions-Policy`` from ``settings.PERMISSIONS_POLICY`` (feature → allowed origins)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})" for feature, origins in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every response of the application: pages, API and error
    pages all may carry personal data, which no browser or proxy cache may keep.

    Sits after WhiteNoise, whose static files never reach it and stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, no_store=True)
        return response


class TraceLogFilter(logging.Filter):
    def filter(self, record):
        record.trace_id = current_trace_id()
        return True
