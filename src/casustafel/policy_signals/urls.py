from django.urls import path

from . import views

app_name = "policy_signals"
urlpatterns = [
    path("beleidssignalen/", views.signal_list, name="signal_list"),
    path("beleidssignalen/<uuid:pk>/", views.signal_detail, name="signal_detail"),
    path("casussen/<uuid:pk>/beleidssignaal/", views.raise_from_case, name="raise_from_case"),
    path("overleggen/<uuid:pk>/beleidssignaal/", views.raise_from_meeting, name="raise_from_meeting"),
]
