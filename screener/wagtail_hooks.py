"""The screener registers itself: questionnaires as snippets for hub staff (the
access middleware keeps partners out of snippets), the staff screens."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from partnerships import permissions

from . import admin_urls, picture
from .models import Questionnaire


class ScreeningMenuItem(MenuItem):
    def is_shown(self, request):
        user = request.user
        return user.is_staff or bool(permissions.editing_org_ids_of(user))


class NeedsMenuItem(MenuItem):
    def is_shown(self, request):
        return picture.may_see(request.user)


class QuestionnaireViewSet(SnippetViewSet):
    model = Questionnaire
    icon = "list-ul"
    menu_label = "Screener questionnaires"
    menu_order = 300
    add_to_admin_menu = True
    list_display = ["title", "active", "updated_at"]
    ordering = ["-active", "-updated_at", "-pk"]


register_snippet(QuestionnaireViewSet)


@hooks.register("register_admin_urls")
def register_screening_urls():
    return [path("screening/", include(admin_urls, namespace="screening"))]


@hooks.register("register_admin_menu_item")
def register_screening_menu_item():
    return ScreeningMenuItem(
        "Screen with a client",
        reverse("screening:assist"),
        icon_name="tasks",
        order=116,
    )


@hooks.register("register_admin_menu_item")
def register_needs_menu_item():
    return NeedsMenuItem(
        "Community needs", reverse("screening:needs"), icon_name="table", order=117
    )
