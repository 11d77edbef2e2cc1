from django.urls import path

from . import views

app_name = "signals"
urlpatterns = [
    path("signalen/", views.signal_list, name="signal_list"),
    path("signalen/nieuw/", views.signal_create, name="signal_create"),
    path("signalen/bekende-persoon/", views.known_person_check, name="known_person_check"),
    path("signalen/<uuid:pk>/", views.signal_detail, name="signal_detail"),
    path("signalen/<uuid:pk>/<slug:target>/", views.signal_transition, name="signal_transition"),
]
