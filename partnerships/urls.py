from django.urls import path

from .views import organisations, partners

app_name = "partnerships"

urlpatterns = [
    path("", partners.partnership_index, name="index"),
    path("new/", partners.partnership_create, name="add"),
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
    path("<int:pk>/status/", partners.partnership_status, name="status"),
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
    path("<int:pk>/<slug:section>/", partners.partnership_section, name="section"),
    path(
        "<int:pk>/<slug:section>/<path:rest>",
        partners.partnership_section,
        name="section_page",
    ),
]
