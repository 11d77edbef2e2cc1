from django.urls import include, path

urlpatterns = [
    path("", include("casustafel.accounts.urls")),
    path("", include("casustafel.web.urls")),
    path("", include("casustafel.work.urls")),
    # subjects first: its signalen/<id>/elders-… paths are more specific than signalen/<id>/<target>/.
    path("", include("casustafel.subjects.urls")),
    path("", include("casustafel.signals.urls")),
    path("", include("casustafel.weighing.urls")),
    path("", include("casustafel.cases.urls")),
    path("", include("casustafel.processing_log.urls")),
    path("", include("casustafel.retention.urls")),
    path("", include("casustafel.governance.urls")),
    path("", include("casustafel.meetings.urls")),
    path("", include("casustafel.timeline.urls")),
    path("", include("casustafel.plans.urls")),
    path("", include("casustafel.journal.urls")),
    path("", include("casustafel.oversight.urls")),
    path("", include("casustafel.corrections.urls")),
    path("", include("casustafel.search.urls")),
    path("", include("casustafel.reporting.urls")),
    path("", include("casustafel.partners.urls")),
    path("", include("casustafel.meldpunt.urls")),
    path("", include("casustafel.insight.urls")),
    path("", include("casustafel.policy_signals.urls")),
    path("", include("casustafel.national.urls")),
    path("api/v1/", include("casustafel.api.urls")),
]

handler400 = "casustafel.web.views.bad_request"
handler404 = "casustafel.web.views.not_found"
handler500 = "casustafel.web.views.server_error"
handler403 = "casustafel.web.views.forbidden"
