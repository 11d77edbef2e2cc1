from django.urls import path

from . import views

app_name = "meldpunt"
urlpatterns = [
    # Public, without login (accounts.middleware.PUBLIC_PREFIXES): no personal data and no
    # reference in any of these addresses; the follow-up is a posted form.
    path("melden/<slug:region>/", views.region_melding, name="region_melding"),
    path("melden/<slug:region>/aanvullen/", views.follow_up, name="follow_up"),
    path("melden/<slug:region>/<slug:gemeente>/", views.gemeente_melding, name="gemeente_melding"),
    # Behind the login: the region's meldingen, and each gemeente's meldpunt page.
    path("meldpunt/meldingen/", views.report_list, name="report_list"),
    path("meldpunt/meldingen/<uuid:pk>/", views.report_detail, name="report_detail"),
    path("meldpunt/meldingen/<uuid:pk>/verwerkt/", views.report_handled, name="report_handled"),
    path("meldpunt/meldingen/<uuid:pk>/signaal/", views.report_register, name="report_register"),
    path("meldpunt/gemeenten/", views.gemeente_pages, name="gemeente_pages"),
    path("meldpunt/gemeenten/<uuid:pk>/", views.gemeente_page_edit, name="gemeente_page_edit"),
]
