from django.urls import path

from . import views

urlpatterns = [path("work-items", views.WorkQueueView.as_view(), name="work-items")]
