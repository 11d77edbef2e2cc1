"""Pages of the council and quarterly report (in the namespace ``reporting``)."""

from django.urls import path

from . import views

urlpatterns = [path("verantwoording/raadsrapportage/", views.council_report_page, name="council_report")]
