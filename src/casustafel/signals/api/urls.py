from django.urls import path

from . import views

urlpatterns = [
    path("signals", views.SignalListView.as_view(), name="signal-list"),
    path("signals/<uuid:id>", views.SignalDetailView.as_view(), name="signal-detail"),
    path("signals/<uuid:id>/transitions", views.SignalTransitionView.as_view(), name="signal-transitions"),
]
