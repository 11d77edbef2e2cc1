from django.urls import path

from . import views

urlpatterns = [
    path("cases", views.CaseListView.as_view(), name="case-list"),
    path("cases/<uuid:id>", views.CaseDetailView.as_view(), name="case-detail"),
    path("cases/<uuid:id>/participants", views.ParticipantView.as_view(), name="case-participants"),
    path("cases/<uuid:id>/third-parties", views.ThirdPartyView.as_view(), name="case-third-parties"),
    path("third-party-admissions", views.ThirdPartyAdmissionListView.as_view(), name="third-party-admission-list"),
    path(
        "third-party-admissions/<uuid:id>/confirmations",
        views.ThirdPartyConfirmationView.as_view(),
        name="third-party-admission-confirmations",
    ),
    path("cases/<uuid:id>/transitions", views.CaseTransitionView.as_view(), name="case-transitions"),
    path("cases/<uuid:id>/transfers", views.CaseTransferView.as_view(), name="case-transfers"),
    path("case-transfers/<uuid:id>/decision", views.CaseTransferDecisionView.as_view(), name="case-transfer-decision"),
]
