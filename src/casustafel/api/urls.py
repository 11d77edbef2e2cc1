"""The REST API (``/api/v1``): the domain apps' endpoints, the OpenAPI document, a problem 404."""

from django.urls import include, path, re_path

from .views import NotFoundView, OpenApiJsonView, SchemaView

app_name = "api"

urlpatterns = [
    path("", include("casustafel.signals.api.urls")),
    path("", include("casustafel.weighing.api.urls")),
    path("", include("casustafel.cases.api.urls")),
    path("", include("casustafel.meetings.api.urls")),
    path("", include("casustafel.plans.api.urls")),
    path("", include("casustafel.journal.api.urls")),
    path("", include("casustafel.work.api.urls")),
    path("", include("casustafel.partners.api.urls")),
    path("schema", SchemaView.as_view(), name="schema"),
    path("openapi.json", OpenApiJsonView.as_view(), name="openapi-json"),
    re_path(r"^", NotFoundView.as_view(), name="not-found"),
]
