from django.urls import path

from . import views

urlpatterns = [path("cases/<uuid:id>/journal", views.JournalView.as_view(), name="case-journal")]
