"""Pages of the annual report of Wet PGA art. 18 (in the namespace ``reporting``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("jaarverslagen/", views.annual_list, name="annual_list"),
    path("jaarverslagen/nieuw/", views.annual_create, name="annual_create"),
    path("jaarverslagen/<uuid:pk>/", views.annual_detail, name="annual_detail"),
    path("jaarverslagen/<uuid:pk>/meedoen/", views.annual_join, name="annual_join"),
    path("jaarverslagen/<uuid:pk>/weglaten/", views.annual_leave_out, name="annual_leave_out"),
    path("jaarverslagen/<uuid:pk>/terugzetten/", views.annual_put_back, name="annual_put_back"),
    path("jaarverslagen/<uuid:pk>/redactie-afronden/", views.annual_finish, name="annual_finish"),
    path("jaarverslagen/<uuid:pk>/redactie-heropenen/", views.annual_reopen, name="annual_reopen"),
    path("jaarverslagen/<uuid:pk>/publiceren/", views.annual_publish, name="annual_publish"),
    path("jaarverslagen/<uuid:pk>/jaarverslag.html", views.annual_html, name="annual_html"),
    path("jaarverslagen/<uuid:pk>/jaarverslag.pdf", views.annual_pdf, name="annual_pdf"),
    path("jaarverslagen/<uuid:pk>/jaarverslag.csv", views.annual_csv, name="annual_csv"),
]
