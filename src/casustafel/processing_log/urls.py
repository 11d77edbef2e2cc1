from django.urls import path

from . import views

app_name = "processing_log"
urlpatterns = [
    path("logboek/", views.logbook, name="logbook"),
    path("logboek/bewijs/<int:pk>/", views.entry_proof, name="entry_proof"),
]
