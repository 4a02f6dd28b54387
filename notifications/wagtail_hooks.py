from wagtail import hooks
from wagtail.admin.views.account import BaseSettingsPanel, notifications_tab

from .forms import NotificationPreferencesForm
from .viewsets import outgoing_mail_viewset


@hooks.register("register_log_actions")
def register_outbox_log_actions(actions):
    actions.register_action(
        "notifications.retry", "Retry mail", "Hub staff queued a failed mail again"
    )


@hooks.register("register_admin_viewset")
def register_outgoing_mail_viewset():
    return outgoing_mail_viewset


class MailNotificationsPanel(BaseSettingsPanel):
    name = "mail_notifications"
    title = "E-mail notifications"
    tab = notifications_tab
    order = 50
    form_class = NotificationPreferencesForm
    help_text = (
        "For each kind of news, choose to hear at once, in one e-mail a day, or "
        "not at all. Referral e-mails never contain client details."
    )


@hooks.register("register_account_settings_panel")
def register_mail_notifications_panel(request, user, profile):
    return MailNotificationsPanel(request, user, profile)
