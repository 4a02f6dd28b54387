from django.urls import path
from wagtail.admin.viewsets.model import ModelViewSet

from .models import DirectoryService
from .views import directory_import


class DirectoryServiceViewSet(ModelViewSet):
    """Hub staff keep the resource directory; owners are reminded when stale.
    Partner staff never reach it (the access middleware refuses them)."""

    model = DirectoryService
    icon = "globe"
    menu_label = "Resource directory"
    menu_order = 160
    add_to_admin_menu = True
    # Every field is editable here; non-editable ones drop out on their own.
    exclude_form_fields: list[str] = []
    list_display = ["name", "organisation", "category", "last_verified", "published"]
    list_filter = ["category", "published", "organisation"]
    search_fields = ["name", "description"]
    ordering = ["name"]
    list_per_page = 50
    copy_view_enabled = False

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("import/", directory_import, name="import"),
        ]


directory_viewset = DirectoryServiceViewSet("directory")
