from django.urls import path

from . import views

urlpatterns = [
    path("meetings", views.MeetingListView.as_view(), name="meeting-list"),
    path("meetings/recorded-afterwards", views.MeetingRecordView.as_view(), name="meeting-record"),
    path("meetings/<uuid:id>", views.MeetingDetailView.as_view(), name="meeting-detail"),
    path("meetings/<uuid:id>/cancellation", views.MeetingCancellationView.as_view(), name="meeting-cancellation"),
    path("meetings/<uuid:id>/agenda-items", views.AgendaItemView.as_view(), name="meeting-agenda-items"),
    path("meetings/<uuid:id>/attendance", views.AttendanceView.as_view(), name="meeting-attendance"),
    path("agenda-items/<uuid:id>/minutes", views.MinutesView.as_view(), name="agenda-item-minutes"),
    path("agenda-items/<uuid:id>/decisions", views.DecisionView.as_view(), name="agenda-item-decisions"),
    path("agenda-items/<uuid:id>/actions", views.ActionView.as_view(), name="agenda-item-actions"),
    path(
        "meeting-actions/<uuid:id>/completion", views.ActionCompletionView.as_view(), name="meeting-action-completion"
    ),
]
