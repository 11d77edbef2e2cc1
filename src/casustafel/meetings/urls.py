from django.urls import path

from . import views

app_name = "meetings"
urlpatterns = [
    path("overleggen/", views.meeting_list, name="meeting_list"),
    path("overleggen/nieuw/", views.meeting_create, name="meeting_create"),
    path("overleggen/achteraf/", views.meeting_record, name="meeting_record"),
    path("overleggen/<uuid:pk>/", views.meeting_detail, name="meeting_detail"),
    path("overleggen/<uuid:pk>/wijzigen/", views.meeting_edit, name="meeting_edit"),
    path("overleggen/<uuid:pk>/annuleren/", views.meeting_cancel, name="meeting_cancel"),
    path("overleggen/<uuid:pk>/pdf/", views.meeting_pdf, name="meeting_pdf"),
    path("overleggen/<uuid:pk>/agenda-opbouwen/", views.build_agenda, name="build_agenda"),
    path("overleggen/<uuid:pk>/agendapunten/", views.add_item, name="add_item"),
    path("overleggen/<uuid:pk>/uitnodigen/", views.invite, name="invite"),
    path("overleggen/<uuid:pk>/aanwezigheid/", views.attendance, name="attendance"),
    path("agendapunten/<uuid:pk>/van-agenda/", views.item_remove, name="item_remove"),
    path("agendapunten/<uuid:pk>/verslag/", views.item_minutes, name="item_minutes"),
    path("agendapunten/<uuid:pk>/besluiten/", views.item_decision, name="item_decision"),
    path("agendapunten/<uuid:pk>/acties/", views.item_action, name="item_action"),
    path("overleg-acties/<uuid:pk>/afgerond/", views.action_done, name="action_done"),
]
