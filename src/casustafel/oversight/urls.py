from django.urls import path

from . import views

app_name = "oversight"

urlpatterns = [
    path("commissie/", views.overview, name="overview"),
    path("commissie/adviezen/nieuw/", views.advice_create, name="advice_create"),
    path("commissie/adviezen/<uuid:pk>/", views.advice_detail, name="advice_detail"),
]
