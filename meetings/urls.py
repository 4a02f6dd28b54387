from django.urls import path

from . import calendar_views, views

app_name = "meetings"

urlpatterns = [
    path("partnership/<int:pk>/", views.series_index, name="index"),
    path("partnership/<int:pk>/new/", views.series_add, name="series_add"),
    path("feeds/", calendar_views.feeds, name="feeds"),
    path("series/<int:series_pk>/", views.series_detail, name="series"),
    path("series/<int:series_pk>/edit/", views.series_edit, name="series_edit"),
    path("series/<int:series_pk>/send/", views.series_publish, name="series_publish"),
    path("series/<int:series_pk>/cancel/", views.series_cancel, name="series_cancel"),
    path(
        "series/<int:series_pk>/calendar.ics",
        calendar_views.series_ics,
        name="series_ics",
    ),
    path("series/<int:series_pk>/invitees/", views.invitee_add, name="invitee_add"),
    path(
        "series/<int:series_pk>/invitees/<int:invitee_pk>/remove/",
        views.invitee_remove,
        name="invitee_remove",
    ),
    path(
        "series/<int:series_pk>/on/<str:key>/",
        views.occurrence_open,
        name="occurrence",
    ),
    path("<int:meeting_pk>/", views.meeting_detail, name="meeting"),
    path(
        "<int:meeting_pk>/meeting.ics", calendar_views.meeting_ics, name="meeting_ics"
    ),
    path("<int:meeting_pk>/agenda/", views.agenda_add, name="agenda_add"),
    path(
        "<int:meeting_pk>/agenda/<int:item_pk>/move/<str:direction>/",
        views.agenda_move,
        name="agenda_move",
    ),
    path(
        "<int:meeting_pk>/agenda/<int:item_pk>/minutes/",
        views.agenda_minutes,
        name="agenda_minutes",
    ),
    path("<int:meeting_pk>/decisions/", views.decision_add, name="decision_add"),
    path("<int:meeting_pk>/actions/", views.action_add, name="action_add"),
    path("<int:meeting_pk>/attendance/", views.attendance_save, name="attendance"),
    path("<int:meeting_pk>/remind/", views.meeting_remind, name="remind"),
    path("<int:meeting_pk>/<slug:action>/", views.meeting_state, name="state"),
]
