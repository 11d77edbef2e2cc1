from django.urls import path

from . import views

urlpatterns = [
    path("weighings/<uuid:id>", views.WeighingDetailView.as_view(), name="weighing-detail"),
    path("weighings/<uuid:id>/contributions", views.ContributionView.as_view(), name="weighing-contributions"),
    path("weighings/<uuid:id>/decision", views.DecisionView.as_view(), name="weighing-decision"),
    path("weighings/<uuid:id>/consultations", views.ConsultationView.as_view(), name="weighing-consultations"),
    path("consultations/<uuid:id>/answer", views.ConsultationAnswerView.as_view(), name="consultation-answer"),
    path("decisions/<uuid:id>/confirmations", views.DecisionConfirmationView.as_view(), name="decision-confirmations"),
]
