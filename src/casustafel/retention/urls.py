from django.urls import path

from . import views

app_name = "retention"
urlpatterns = [
    path("bewaartermijnen/", views.overview, name="overview"),
    path("bewaartermijnen/personen/<uuid:pk>/", views.person, name="person"),
    path("bewaartermijnen/rondes/<uuid:pk>/verslag.pdf", views.report_pdf, name="report_pdf"),
    path("bewaartermijnen/rondes/<uuid:pk>/verslag.csv", views.report_csv, name="report_csv"),
]
