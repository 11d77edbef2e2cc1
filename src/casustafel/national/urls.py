from django.urls import path

from . import views

app_name = "national"
urlpatterns = [
    path("verantwoording/landelijk/", views.figures, name="figures"),
    path("verantwoording/landelijk/csv/", views.figures_csv, name="figures_csv"),
]
