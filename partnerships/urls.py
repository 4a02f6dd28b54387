from django.urls import path

from .views import (
    accountability,
    dashboard,
    health,
    organisations,
    partners,
)

app_name = "partnerships"

urlpatterns = [
    path("", partners.partnership_index, name="index"),
    path("new/", partners.partnership_create, name="add"),
    path("dashboard/", dashboard.leadership_dashboard, name="dashboard"),
    path(
        "dashboard/<slug:figure>.<slug:fmt>",
        dashboard.dashboard_export,
        name="dashboard_export",
    ),
    path(
        "responsibilities/mine/",
        accountability.my_responsibilities,
        name="my_responsibilities",
    ),
    path(
        "organisations/<int:pk>/",
        organisations.organisation_people,
        name="organisation",
    ),
    path(
        "organisations/<int:pk>/proposals/<int:invitation_pk>/approve/",
        organisations.proposal_approve,
        name="proposal_approve",
    ),
    path(
        "organisations/<int:pk>/proposals/<int:invitation_pk>/decline/",
        organisations.proposal_decline,
        name="proposal_decline",
    ),
    path(
        "organisations/<int:pk>/people/<int:membership_pk>/",
        organisations.membership_change,
        name="membership_change",
    ),
    path("<int:pk>/", partners.partnership_detail, name="detail"),
    path("<int:pk>/edit/", partners.partnership_edit, name="edit"),
    path("<int:pk>/partners/", partners.partnership_partners, name="partners"),
    path("<int:pk>/history/", partners.partnership_history, name="history"),
    path("<int:pk>/invite/", partners.partnership_invite, name="invite"),
    path(
        "<int:pk>/invitations/<int:invitation_pk>/withdraw/",
        partners.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "<int:pk>/partners/<int:participation_pk>/remove/",
        partners.participation_remove,
        name="participation_remove",
    ),
    path(
        "<int:pk>/partners/<int:participation_pk>/roles/new/",
        partners.role_assign,
        name="role_assign",
    ),
    path(
        "<int:pk>/roles/<int:role_pk>/remove/",
        partners.role_remove,
        name="role_remove",
    ),
    path(
        "<int:pk>/partners/<int:participation_pk>/commitments/new/",
        partners.commitment_add,
        name="commitment_add",
    ),
    path(
        "<int:pk>/commitments/<int:commitment_pk>/remove/",
        partners.commitment_remove,
        name="commitment_remove",
    ),
    path(
        "<int:pk>/responsibilities/",
        accountability.responsibility_index,
        name="responsibilities",
    ),
    path(
        "<int:pk>/responsibilities/new/",
        accountability.responsibility_add,
        name="responsibility_add",
    ),
    path(
        "<int:pk>/responsibilities/bulk/",
        accountability.responsibility_bulk,
        name="responsibility_bulk",
    ),
    path(
        "<int:pk>/responsibilities/<int:responsibility_pk>/",
        accountability.responsibility_detail,
        name="responsibility",
    ),
    path(
        "<int:pk>/responsibilities/<int:responsibility_pk>/edit/",
        accountability.responsibility_edit,
        name="responsibility_edit",
    ),
    path("<int:pk>/learning/", accountability.learning_index, name="learning"),
    path("<int:pk>/learning/new/", accountability.learning_add, name="learning_add"),
    path(
        "<int:pk>/learning/<int:entry_pk>/",
        accountability.learning_entry,
        name="learning_entry",
    ),
    path(
        "<int:pk>/learning/<int:entry_pk>/decide/",
        accountability.learning_decide,
        name="learning_decide",
    ),
    path("<int:pk>/health/", health.health_index, name="health"),
    path("<int:pk>/health/open/", health.health_round_open, name="health_open"),
    path(
        "<int:pk>/health/<int:round_pk>/",
        health.health_round,
        name="health_round",
    ),
    path(
        "<int:pk>/health/<int:round_pk>/answer/",
        health.health_respond,
        name="health_respond",
    ),
    path(
        "<int:pk>/health/<int:round_pk>/close/",
        health.health_round_close,
        name="health_close",
    ),
    path("<int:pk>/<slug:section>/", partners.partnership_section, name="section"),
]
