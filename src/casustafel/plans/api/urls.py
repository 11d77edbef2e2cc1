from django.urls import path

from . import views

urlpatterns = [
    path("cases/<uuid:id>/plan", views.PlanView.as_view(), name="case-plan"),
    path("cases/<uuid:id>/plan/goals", views.GoalView.as_view(), name="case-plan-goals"),
    path("cases/<uuid:id>/plan/interventions", views.InterventionView.as_view(), name="case-plan-interventions"),
    path("cases/<uuid:id>/plan/contacts", views.ContactView.as_view(), name="case-plan-contacts"),
    path("cases/<uuid:id>/plan/reviews", views.ReviewView.as_view(), name="case-plan-reviews"),
    path(
        "cases/<uuid:id>/plan/acknowledgements", views.AcknowledgementView.as_view(), name="case-plan-acknowledgements"
    ),
    path(
        "coordination-tasks/<uuid:id>/completion",
        views.TaskCompletionView.as_view(),
        name="coordination-task-completion",
    ),
    path("cases/<uuid:id>/checkins", views.CaseCheckInsView.as_view(), name="case-checkins"),
    path("checkins/<uuid:id>/result", views.CheckInResultView.as_view(), name="checkin-result"),
]
