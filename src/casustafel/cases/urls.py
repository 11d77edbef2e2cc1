from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("casussen/", views.case_list, name="case_list"),
    path("casussen/<uuid:pk>/", views.case_detail, name="case_detail"),
    path("casussen/<uuid:pk>/deelnemers/", views.case_add_participant, name="case_add_participant"),
    path("casussen/<uuid:pk>/derden/", views.third_party_propose, name="third_party_propose"),
    path("derden-toelaten/", views.third_party_admissions, name="third_party_admissions"),
    path("derden-toelaten/<uuid:pk>/", views.third_party_decide, name="third_party_decide"),
    path("casussen/<uuid:pk>/status/", views.case_transition, name="case_transition"),
    path("casussen/<uuid:pk>/overdragen/", views.case_transfer, name="case_transfer"),
    path("overdrachten/", views.transfer_list, name="transfer_list"),
    path("overdrachten/<uuid:pk>/", views.transfer_decide, name="transfer_decide"),
    path("overdrachten/uitgaand/", views.outgoing_transfer_list, name="transfer_outgoing"),
    path("overdrachten/uitgaand/<uuid:pk>/bezwaar/", views.transfer_object, name="transfer_object"),
    path("casussen/<uuid:pk>/afgesloten/", views.closed_case, name="closed_case"),
    path("afgeschermde-casussen/", views.blocked_cases, name="blocked_cases"),
    path("afgeschermde-casussen/<uuid:pk>/rechtmatigheid/", views.lawfulness_review, name="lawfulness_review"),
    path("afgeschermde-casussen/<uuid:pk>/nieuwe-weging/", views.blocked_case_notice, name="blocked_case_notice"),
    path("afgeschermde-casussen/<uuid:pk>/inhoud/", views.blocked_case_content, name="blocked_case_content"),
]
