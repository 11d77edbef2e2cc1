from django.urls import path

from . import views

app_name = "timeline"
urlpatterns = [
    path("casussen/<uuid:pk>/tijdlijn/", views.case_timeline, name="case_timeline"),
    path("personen/<uuid:pk>/tijdlijn/", views.person_timeline, name="person_timeline"),
]
