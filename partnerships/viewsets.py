from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from .models import Membership, Organisation


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
    form_fields = ["user", "organisation", "job_title", "is_leadership", "is_admin"]
    list_display = ["user", "organisation", "job_title", "is_leadership", "is_admin"]
    list_filter = ["organisation", "is_leadership", "is_admin"]
    ordering = ["organisation__name", "user__username"]
    list_per_page = 50
    copy_view_enabled = False


class PeopleAndOrganisationsGroup(ModelViewSetGroup):
    menu_label = "Organisations"
    menu_icon = "site"
    menu_order = 150
    items = (
        OrganisationViewSet("organisations"),
        MembershipViewSet("memberships"),
    )


organisation_viewset = PeopleAndOrganisationsGroup()
