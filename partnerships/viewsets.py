from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from .models import DirectoryService, Membership, Organisation


class OrganisationViewSet(ModelViewSet):
    """Hub staff keep the list of organisations; partners never reach it (the
    access middleware refuses non-staff users)."""

    model = Organisation
    icon = "site"
    menu_label = "Organisations"
    add_to_admin_menu = False
    form_fields = ["name", "kind", "email", "phone", "address", "website"]
    list_display = ["name", "kind", "email", "website"]
    list_filter = ["kind"]
    search_fields = ["name", "email"]
    ordering = ["name"]
    list_per_page = 50
    inspect_view_enabled = True
    copy_view_enabled = False


class MembershipViewSet(ModelViewSet):
    """Which people work for which organisation."""

    model = Membership
    icon = "user"
    menu_label = "Memberships"
    add_to_admin_menu = False
    form_fields = ["user", "organisation", "job_title", "is_leadership"]
    list_display = ["user", "organisation", "job_title", "is_leadership"]
    list_filter = ["organisation", "is_leadership"]
    ordering = ["organisation__name", "user__username"]
    list_per_page = 50
    copy_view_enabled = False


class DirectoryServiceViewSet(ModelViewSet):
    """Hub staff keep the resource directory; owners are reminded when stale."""

    model = DirectoryService
    icon = "globe"
    menu_label = "Resource directory"
    add_to_admin_menu = False
    exclude_form_fields = ["stale_reminded_on"]
    list_display = ["name", "organisation", "category", "last_verified", "published"]
    list_filter = ["category", "published", "organisation"]
    search_fields = ["name", "description"]
    ordering = ["name"]
    list_per_page = 50
    copy_view_enabled = False


class PeopleAndOrganisationsGroup(ModelViewSetGroup):
    menu_label = "Organisations"
    menu_icon = "site"
    menu_order = 150
    items = (
        OrganisationViewSet("organisations"),
        MembershipViewSet("memberships"),
        DirectoryServiceViewSet("directory"),
    )


organisation_viewset = PeopleAndOrganisationsGroup()
