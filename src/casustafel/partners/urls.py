from django.urls import path

from . import views

app_name = "partners"
urlpatterns = [
    path("partnersystemen/", views.client_list, name="client_list"),
    path("partnersystemen/webhooks/<uuid:pk>/", views.delivery_log, name="delivery_log"),
]
