from django.urls import path

from . import views

app_name = "journal"
urlpatterns = [path("casussen/<uuid:pk>/journaal/", views.journal, name="journal")]
