from django.urls import path

from . import designation_register, rights_views, views

app_name = "governance"
urlpatterns = [
    path("ambtsberichten/", views.restricted_list, name="restricted_list"),
    path("ambtsberichten/nieuw/", views.restricted_create, name="restricted_create"),
    path("ambtsberichten/<uuid:pk>/", views.restricted_detail, name="restricted_detail"),
    path("ambtsberichten/<uuid:pk>/vrijgeven/", views.restricted_release, name="restricted_release"),
    path("ambtsberichten/<uuid:pk>/lezers/", views.restricted_designate, name="restricted_designate"),
    path("casussen/<uuid:pk>/transparantie/", views.case_transparency, name="case_transparency"),
    path("casussen/<uuid:pk>/bezwaren/", views.objection_create, name="objection_create"),
    path("bezwaren/<uuid:pk>/afhandelen/", views.objection_handle, name="objection_handle"),
    path("wegingen/<uuid:pk>/achtergehouden/", views.weighing_withheld, name="weighing_withheld"),
    path("achtergehouden/", views.withheld_list, name="withheld_list"),
    path("inzageverzoeken/", views.access_request_list, name="access_request_list"),
    path("inzageverzoeken/<uuid:pk>/export/", views.access_request_export, name="access_request_export"),
    path("privacy-audits/", views.audit_list, name="audit_list"),
    path("privacy-audits/nieuw/", views.audit_create, name="audit_create"),
    path("privacy-audits/<uuid:pk>/", views.audit_detail, name="audit_detail"),
    path("privacy-audits/<uuid:pk>/verzonden/", views.audit_sent, name="audit_sent"),
    path("aanwijzingen/", designation_register.designation_list, name="designation_list"),
    path("aanwijzingen/export.csv", designation_register.designation_export, name="designation_export"),
    path("coordinatie-privacy/", rights_views.privacy_coordination, name="privacy_coordination"),
    path("rechtenverzoeken/", rights_views.rights_request_list, name="rights_request_list"),
    path("rechtenverzoeken/<uuid:pk>/", rights_views.rights_request_detail, name="rights_request_detail"),
    path("rechtenverzoeken/<uuid:pk>/verlengen/", rights_views.rights_request_extend, name="rights_request_extend"),
    path("rechtenverzoeken/<uuid:pk>/beantwoorden/", rights_views.rights_request_answer, name="rights_request_answer"),
]
