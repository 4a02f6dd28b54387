from django.urls import path

from . import views

app_name = "referrals"

urlpatterns = [
    path("inbox/", views.referral_inbox, name="inbox"),
    path("partnership/<int:pk>/", views.referral_index, name="index"),
    path("partnership/<int:pk>/protocol/", views.protocol_edit, name="protocol"),
    path("partnership/<int:pk>/new/", views.referral_add, name="add"),
    path("partnership/<int:pk>/metrics/", views.referral_metrics, name="metrics"),
    path(
        "partnership/<int:pk>/<int:referral_pk>/",
        views.referral_detail,
        name="detail",
    ),
]
