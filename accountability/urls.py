from django.urls import path

from .views import dashboard, health, responsibilities

app_name = "accountability"

urlpatterns = [
    path("dashboard/", dashboard.leadership_dashboard, name="dashboard"),
    path(
        "dashboard/<slug:figure>.<slug:fmt>",
        dashboard.dashboard_export,
        name="dashboard_export",
    ),
    path(
        "mine/",
        responsibilities.my_responsibilities,
        name="my_responsibilities",
    ),
    path(
        "partnership/<int:pk>/responsibilities/",
        responsibilities.responsibility_index,
        name="responsibilities",
    ),
    path(
        "partnership/<int:pk>/responsibilities/new/",
        responsibilities.responsibility_add,
        name="responsibility_add",
    ),
    path(
        "partnership/<int:pk>/responsibilities/bulk/",
        responsibilities.responsibility_bulk,
        name="responsibility_bulk",
    ),
    path(
        "partnership/<int:pk>/responsibilities/<int:responsibility_pk>/",
        responsibilities.responsibility_detail,
        name="responsibility",
    ),
    path(
        "partnership/<int:pk>/responsibilities/<int:responsibility_pk>/edit/",
        responsibilities.responsibility_edit,
        name="responsibility_edit",
    ),
    path(
        "partnership/<int:pk>/learning/",
        responsibilities.learning_index,
        name="learning",
    ),
    path(
        "partnership/<int:pk>/learning/new/",
        responsibilities.learning_add,
        name="learning_add",
    ),
    path(
        "partnership/<int:pk>/learning/<int:entry_pk>/",
        responsibilities.learning_entry,
        name="learning_entry",
    ),
    path(
        "partnership/<int:pk>/learning/<int:entry_pk>/decide/",
        responsibilities.learning_decide,
        name="learning_decide",
    ),
    path("partnership/<int:pk>/health/", health.health_index, name="health"),
    path(
        "partnership/<int:pk>/health/open/",
        health.health_round_open,
        name="health_open",
    ),
    path(
        "partnership/<int:pk>/health/<int:round_pk>/",
        health.health_round,
        name="health_round",
    ),
    path(
        "partnership/<int:pk>/health/<int:round_pk>/answer/",
        health.health_respond,
        name="health_respond",
    ),
    path(
        "partnership/<int:pk>/health/<int:round_pk>/close/",
        health.health_round_close,
        name="health_close",
    ),
]
