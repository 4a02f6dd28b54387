from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from .models import DocumentTemplate, LibraryClause, MOUTemplate


class MOUTemplateViewSet(ModelViewSet):
    """Hub staff keep the templates coordinators start MOUs from."""

    model = MOUTemplate
    icon = "doc-full"
    menu_label = "MOU templates"
    list_display = ["name", "is_default"]
    search_fields = ["name"]
    ordering = ["-is_default", "name"]
    copy_view_enabled = False


class LibraryClauseViewSet(ModelViewSet):
    model = LibraryClause
    icon = "list-ul"
    menu_label = "Clause library"
    form_fields = ["kind", "title", "text"]
    list_display = ["title", "kind"]
    list_filter = ["kind"]
    search_fields = ["title", "text"]
    ordering = ["kind", "title"]
    copy_view_enabled = False


class PreviewColumn(Column):
    """A link to the layout's preview with sample figures."""

    cell_template_name = "mou/_layout_preview_cell.html"


class DocumentTemplateViewSet(ModelViewSet):
    """Hub staff upload layouts, preview them with sample figures, then make
    one active (mou.layout_views)."""

    model = DocumentTemplate
    icon = "doc-empty"
    menu_label = "Document layouts"
    form_fields = ["name", "file", "is_active"]
    list_display = [
        "name",
        "is_active",
        PreviewColumn("preview", label="Preview"),
        "uploaded_at",
    ]
    ordering = ["-is_active", "-uploaded_at"]
    copy_view_enabled = False


class MOUAdminGroup(ModelViewSetGroup):
    menu_label = "MOU set-up"
    menu_icon = "doc-full"
    menu_order = 160
    items = (
        MOUTemplateViewSet("mou_templates"),
        LibraryClauseViewSet("mou_clauses"),
        DocumentTemplateViewSet("mou_layouts"),
    )
