from django.urls import include, path

# One namespace for the reporting pages ("reporting:annual_…", "reporting:council_…"): the
# architecture test requires a page to live in the app of its namespace.
app_name = "reporting"
urlpatterns = [
    path("", include("casustafel.reporting.annual.urls")),
    path("", include("casustafel.reporting.council.urls")),
]
