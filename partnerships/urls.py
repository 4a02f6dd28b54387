from django.urls import path

from . import views

app_name = "partnerships"

urlpatterns = [
    path("", views.partnership_index, name="index"),
    path("new/", views.partnership_create, name="add"),
    path("<int:pk>/", views.partnership_detail, name="detail"),
    path("<int:pk>/edit/", views.partnership_edit, name="edit"),
    path("<int:pk>/partners/", views.partnership_partners, name="partners"),
    path("<int:pk>/history/", views.partnership_history, name="history"),
    path("<int:pk>/invite/", views.partnership_invite, name="invite"),
    path(
        "<int:pk>/invitations/<int:invitation_pk>/withdraw/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "<int:pk>/partners/<int:participation_pk>/remove/",
        views.participation_remove,
        name="participation_remove",
    ),
    path(
        "<int:pk>/partners/<int:participation_pk>/roles/new/",
        views.role_assign,
        name="role_assign",
    ),
    path("<int:pk>/roles/<int:role_pk>/remove/", views.role_remove, name="role_remove"),
    path(
        "<int:pk>/partners/<int:participation_pk>/commitments/new/",
        views.commitment_add,
        name="commitment_add",
    ),
    path(
        "<int:pk>/commitments/<int:commitment_pk>/remove/",
        views.commitment_remove,
        name="commitment_remove",
    ),
    path("<int:pk>/<slug:section>/", views.partnership_section, name="section"),
]
