from django.urls import path

from . import views

app_name = "web"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("signalen/", views.signal_list, name="signal_list"),
    path("signalen/nieuw/", views.signal_create, name="signal_create"),
    path("signalen/bekende-persoon/", views.known_person_check, name="known_person_check"),
    path("signalen/<uuid:pk>/", views.signal_detail, name="signal_detail"),
    path("signalen/<uuid:pk>/elders-bekend/", views.known_elsewhere_check, name="known_elsewhere_check"),
    path("signalen/<uuid:pk>/elders-verzoek/", views.known_elsewhere_request, name="known_elsewhere_request"),
    path("signalen/<uuid:pk>/<slug:target>/", views.signal_transition, name="signal_transition"),
    path("verzoeken/", views.request_list, name="request_list"),
    path("verzoeken/<uuid:pk>/beantwoorden/", views.request_answer, name="request_answer"),
    path("wegingen/", views.weighing_list, name="weighing_list"),
    path("wegingen/<uuid:pk>/", views.weighing_detail, name="weighing_detail"),
    path("wegingen/<uuid:pk>/inbreng/", views.weighing_contribute, name="weighing_contribute"),
    path("wegingen/<uuid:pk>/besluit/", views.weighing_decide, name="weighing_decide"),
    path("casussen/", views.case_list, name="case_list"),
    path("casussen/<uuid:pk>/", views.case_detail, name="case_detail"),
    path("casussen/<uuid:pk>/deelnemers/", views.case_add_participant, name="case_add_participant"),
    path("casussen/<uuid:pk>/status/", views.case_transition, name="case_transition"),
    path("casussen/<uuid:pk>/overdragen/", views.case_transfer, name="case_transfer"),
    path("overdrachten/", views.transfer_list, name="transfer_list"),
    path("overdrachten/<uuid:pk>/", views.transfer_decide, name="transfer_decide"),
]
