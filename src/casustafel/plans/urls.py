from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("casussen/<uuid:pk>/plan/", views.plan_detail, name="plan"),
    path("casussen/<uuid:pk>/plan/doelen/", views.goal_add, name="goal_add"),
    path("casussen/<uuid:pk>/plan/interventies/", views.intervention_add, name="intervention_add"),
    path("casussen/<uuid:pk>/plan/interventies/beeindigen/", views.intervention_end, name="intervention_end"),
    path("casussen/<uuid:pk>/plan/doelen/wijzigen/", views.goal_edit, name="goal_edit"),
    path("casussen/<uuid:pk>/plan/interventies/wijzigen/", views.intervention_edit, name="intervention_edit"),
    path("casussen/<uuid:pk>/plan/contacten/", views.contact_add, name="contact_add"),
    path("casussen/<uuid:pk>/plan/erkenningen/", views.acknowledge, name="acknowledge"),
    path("casussen/<uuid:pk>/plan/evaluaties/", views.review_add, name="review_add"),
    path("casussen/<uuid:pk>/plan/afstemmingsacties/afronden/", views.task_done, name="task_done"),
    path("casussen/<uuid:pk>/plan/opvolging/", views.checkin_record, name="checkin_record"),
    path("catalogus/", views.catalogue, name="catalogue"),
]
