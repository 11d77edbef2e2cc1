import logging

from django.conf import settings

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


class TraceLogFilter(logging.Filter):
    def filter(self, record):
        record.trace_id = current_trace_id()
        return True
