from django.urls import path

from . import views

app_name = "subjects"
urlpatterns = [
    path("signalen/<uuid:pk>/elders-bekend/", views.known_elsewhere_check, name="known_elsewhere_check"),
    path("signalen/<uuid:pk>/elders-verzoek/", views.known_elsewhere_request, name="known_elsewhere_request"),
    path("verzoeken/", views.request_list, name="request_list"),
    path("verzoeken/<uuid:pk>/beantwoorden/", views.request_answer, name="request_answer"),
]
