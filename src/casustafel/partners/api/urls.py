from django.urls import path

from . import views

urlpatterns = [
    path("referrals", views.ReferralView.as_view(), name="referral-create"),
    path("webhook-subscriptions", views.SubscriptionListView.as_view(), name="webhook-subscription-list"),
    path("webhook-subscriptions/<uuid:id>", views.SubscriptionDetailView.as_view(), name="webhook-subscription-detail"),
    path(
        "webhook-subscriptions/<uuid:id>/deliveries",
        views.DeliveryLogView.as_view(),
        name="webhook-subscription-deliveries",
    ),
]
