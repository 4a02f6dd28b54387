"""The screener registers itself: questionnaires as snippets for hub staff (the
access middleware keeps partners out of snippets), the staff screens."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Questionnaire


class QuestionnaireViewSet(SnippetViewSet):
    model = Questionnaire
    icon = "list-ul"
    menu_label = "Screener questionnaires"
    menu_order = 300
    add_to_admin_menu = True
    list_display = ["title", "active", "updated_at"]
    ordering = ["-active", "-updated_at", "-pk"]


register_snippet(QuestionnaireViewSet)
