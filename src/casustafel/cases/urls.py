from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("casussen/", views.case_list, name="case_list"),
    path("casussen/<uuid:pk>/", views.case_detail, name="case_detail"),
    path("casussen/<uuid:pk>/deelnemers/", views.case_add_participant, name="case_add_participant"),
    path("casussen/<uuid:pk>/status/", views.case_transition, name="case_transition"),
    path("casussen/<uuid:pk>/overdragen/", views.case_transfer, name="case_transfer"),
    path("overdrachten/", views.transfer_list, name="transfer_list"),
    path("overdrachten/<uuid:pk>/", views.transfer_decide, name="transfer_decide"),
]
