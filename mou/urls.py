from django.urls import path

from . import comment_views, layout_views, views

app_name = "mou"

urlpatterns = [
    path("partnership/<int:pk>/", views.mou_index, name="index"),
    path(
        "layouts/<int:layout_pk>/preview/",
        layout_views.layout_preview,
        name="layout_preview",
    ),
    path(
        "layouts/<int:layout_pk>/activate/",
        layout_views.layout_activate,
        name="layout_activate",
    ),
    path("partnership/<int:pk>/new/", views.mou_create, name="create"),
    path("<int:mou_pk>/", views.mou_detail, name="detail"),
    path("<int:mou_pk>/sections/new/", views.section_edit, name="section_add"),
    path(
        "<int:mou_pk>/sections/<int:section_pk>/",
        views.section_edit,
        name="section_edit",
    ),
    path(
        "<int:mou_pk>/sections/<int:section_pk>/remove/",
        views.section_remove,
        name="section_remove",
    ),
    path(
        "<int:mou_pk>/sections/<int:section_pk>/move/<str:direction>/",
        views.section_move,
        name="section_move",
    ),
    path("<int:mou_pk>/do/<slug:action>/", views.mou_transition, name="transition"),
    path("<int:mou_pk>/amend/", views.mou_amend, name="amend"),
    path(
        "<int:mou_pk>/referral-methods/",
        views.mou_refresh_referrals,
        name="refresh_referrals",
    ),
    path("<int:mou_pk>/terminate/", views.mou_terminate, name="terminate"),
    path("<int:mou_pk>/sign/", views.mou_sign, name="sign"),
    path("<int:mou_pk>/history/", views.mou_history, name="history"),
    path("<int:mou_pk>/compare/", views.mou_compare, name="compare"),
    path("<int:mou_pk>/export.<str:fmt>", views.mou_export, name="export"),
    path("<int:mou_pk>/certificate.pdf", views.mou_certificate, name="certificate"),
    path("<int:mou_pk>/comments/", views.comment_add, name="comment_add"),
    path(
        "<int:mou_pk>/comments/general/",
        comment_views.general_thread,
        name="general_thread",
    ),
    path(
        "<int:mou_pk>/clauses/<int:clause_pk>/comments/",
        comment_views.clause_thread,
        name="clause_thread",
    ),
    path(
        "<int:mou_pk>/comments/<int:comment_pk>/resolve/",
        views.comment_resolve,
        name="comment_resolve",
    ),
]
