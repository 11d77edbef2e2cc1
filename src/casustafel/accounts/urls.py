from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("inloggen/", views.login_view, name="login"),
    path("uitloggen/", views.logout_view, name="logout"),
    path("geheimhouding/", views.confidentiality_view, name="confidentiality"),
    path("geen-aanwijzing/", views.no_designation_view, name="no_designation"),
    path("sessie/verlengen/", views.keep_alive_view, name="keep_alive"),
    path("bewaard-formulier/", views.draft_view, name="draft"),
]
