from django.urls import path

from . import views

app_name = "insight"

urlpatterns = [
    path("inzicht/", views.overview, name="overview"),
    path("inzicht/herkenning/", views.recognition, name="recognition"),
    path("inzicht/maatregelen/", views.measures, name="measures"),
    # One route per list behind a number, without an argument: the kinds are fixed, and a role
    # that cannot use a list is told so plainly (403), as on every section page.
    path("inzicht/stroom/overleggen/", views.flow_meetings, name="flow_meetings"),
    path("inzicht/stroom/evaluaties/", views.flow_reviews, name="flow_reviews"),
    path("inzicht/stroom/acties/", views.flow_actions, name="flow_actions"),
    path("inzicht/stroom/afstemmingsacties/", views.flow_tasks, name="flow_tasks"),
    path("inzicht/stroom/interventies/", views.flow_drifting, name="flow_drifting"),
]
