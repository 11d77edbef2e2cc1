from django.urls import path

from . import views

app_name = "weighing"
urlpatterns = [
    path("wegingen/", views.weighing_list, name="weighing_list"),
    path("wegingen/<uuid:pk>/", views.weighing_detail, name="weighing_detail"),
    path("wegingen/<uuid:pk>/inbreng/", views.weighing_contribute, name="weighing_contribute"),
    path("wegingen/<uuid:pk>/besluit/", views.weighing_decide, name="weighing_decide"),
    path("wegingen/<uuid:pk>/besluit/bevestigen/", views.decision_confirm, name="decision_confirm"),
    path("wegingen/<uuid:pk>/aanmelder-geinformeerd/", views.registrant_informed, name="registrant_informed"),
    path("wegingen/<uuid:pk>/raadpleging/", views.consultation_create, name="consultation_create"),
    path("wegingen/<uuid:pk>/raadpleging/antwoord/", views.consultation_answer, name="consultation_answer"),
]
