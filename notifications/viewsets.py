"""Outgoing mail, for hub staff: every message the workspace sent, is sending or
gave up on, with failed ones marked and a retry button. Partners never reach it
(the access middleware refuses non-staff users outside the workspace)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from wagtail.admin.ui.tables import Column, Table
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import ListingButton
from wagtail.permission_policies import ModelPermissionPolicy

from .models import OutgoingMail
from .outbox import mail_retry


class StaffOnly(ModelPermissionPolicy):
    """Hub staff may look and retry; nobody writes mail by hand."""

    def user_has_permission(self, user, action):
        return user.is_active and user.is_staff and action in {"view", "change"}


class StatusColumn(Column):
    cell_template_name = "notifications/status_cell.html"

    def __init__(self):
        super().__init__("status", label="Status", sort_key="status")


class OutboxTable(Table):
    """Failed mail stands out: its row is marked for the stylesheet and tests."""

    def get_row_classname(self, instance):
        return "outbox-failed" if instance.status == OutgoingMail.Status.FAILED else ""


class OutboxIndexView(IndexView):
    table_class = OutboxTable

    def get_edit_url(self, instance):
        return None  # mail is never edited: inspect it instead

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if instance.status == OutgoingMail.Status.FAILED:
            buttons.append(
                ListingButton(
                    "Retry",
                    url=reverse("outgoing_mail:retry", args=[instance.pk]),
                    icon_name="repeat",
                    priority=5,
                    attrs={"aria-label": f"Retry the mail to {instance.recipient}"},
                )
            )
        return buttons


def retry_view(request, pk: int):
    if not request.user.is_staff:
        raise PermissionDenied
    mail = get_object_or_404(OutgoingMail, pk=pk)
    if request.method == "POST":
        try:
            mail_retry(mail=mail, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"The mail to {mail.recipient} is queued again.")
        return redirect("outgoing_mail:index")
    return TemplateResponse(request, "notifications/retry.html", {"mail": mail})


class OutgoingMailViewSet(ModelViewSet):
    model = OutgoingMail
    icon = "mail"
    menu_label = "Outgoing mail"
    menu_order = 900
    add_to_admin_menu = True
    permission_policy = StaffOnly(OutgoingMail)
    index_view_class = OutboxIndexView
    list_display = [
        "subject",
        "recipient",
        StatusColumn(),
        "kind_label",
        "attempts",
        "created_at",
        "last_error",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["recipient", "subject"]
    search_backend_name = None
    ordering = ["-created_at", "-pk"]
    list_per_page = 50
    inspect_view_enabled = True
    inspect_view_fields = [
        "recipient",
        "user",
        "kind",
        "event",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "sent_at",
        "key",
        "subject",
        "body",
    ]
    copy_view_enabled = False
    form_fields = ["recipient"]  # required by ModelViewSet; no form is served

    def get_urlpatterns(self):
        keep = {"index", "index_results", "inspect"}
        return [p for p in super().get_urlpatterns() if p.name in keep] + [
            path("retry/<int:pk>/", retry_view, name="retry")
        ]


outgoing_mail_viewset = OutgoingMailViewSet("outgoing_mail")
