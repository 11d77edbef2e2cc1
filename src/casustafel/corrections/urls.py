from django.urls import path

from . import views

app_name = "corrections"
urlpatterns = [
    path("correcties/signaal/<uuid:pk>/", views.signal_correct, name="signal_correct"),
    path("correcties/inbreng/<uuid:pk>/", views.contribution_correct, name="contribution_correct"),
    path("correcties/meldingen/<uuid:pk>/afgehandeld/", views.notice_done, name="notice_done"),
]
