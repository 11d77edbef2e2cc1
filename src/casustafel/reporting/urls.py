from django.urls import include, path

urlpatterns = [
    path("", include("casustafel.reporting.annual.urls")),
    path("", include("casustafel.reporting.council.urls")),
]
