"""What every workspace page shares: the partnership's header, its sections,
breadcrumbs and pagination."""

from django.core.paginator import Paginator
from django.urls import reverse

from .. import permissions

PAGE_SIZE = 25

# Sections of a partnership: (key, label, URL name). A section without a URL
# name shows its empty state until its capability is built.
SECTIONS = [
    ("overview", "Overview", "partnerships:detail"),
    ("partners", "Partners and people", "partnerships:partners"),
    ("logic-model", "Logic model", "logicmodels:index"),
    ("mou", "MOU", "mou:index"),
    ("meetings", "Meetings", "meetings:index"),
    ("responsibilities", "Responsibilities", "partnerships:responsibilities"),
    ("learning", "Learning log", "partnerships:learning"),
    ("referrals", "Referrals", "partnerships:referrals"),
    ("health", "Health checks", "partnerships:health"),
    ("history", "History", "partnerships:history"),
]


def section_links(partnership) -> list[tuple[str, str, str]]:
    return [
        (
            key,
            label,
            reverse(name, args=[partnership.pk])
            if name
            else reverse("partnerships:section", args=[partnership.pk, key]),
        )
        for key, label, name in SECTIONS
    ]


EMPTY_STATES = {
    "logic-model": (
        "No logic model yet",
        "A logic model sets out the partnership's theory of change: the resources "
        "partners bring, the activities they run together, the outputs and "
        "outcomes they expect, and the indicators that show whether they are on "
        "track. Building one together is how partners align purpose and success "
        "criteria.",
    ),
    "mou": (
        "No memorandum of understanding yet",
        "An MOU records who does what, how partners share resources and data, how "
        "they decide, and how the agreement is reviewed, renewed or ended. Each "
        "organisation's signatory signs the exact text everyone read.",
    ),
    "meetings": (
        "No meetings scheduled yet",
        "Regular reviews keep partners talking: a monthly review of shared "
        "participants and a quarterly strategic review are a common rhythm. "
        "Agendas, minutes, decisions and actions will live here.",
    ),
    "referrals": (
        "No referral protocol yet",
        "A referral protocol says when and how partners refer people to each "
        "other, what information travels with a referral, how consent is "
        "recorded and how the sender learns the outcome.",
    ),
}


def breadcrumbs(*items):
    return [
        {"url": reverse("wagtailadmin_home"), "label": "Home"},
        {"url": reverse("partnerships:index"), "label": "Partnerships"},
        *({"url": url, "label": label} for url, label in items),
    ]


def paginate(request, queryset, per_page=PAGE_SIZE):
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(request.GET.get("p"))


def section_context(request, partnership, section):
    return {
        "partnership": partnership,
        "section": section,
        "sections": section_links(partnership),
        "can_edit": permissions.can_edit(request.user, partnership),
        "can_coordinate": permissions.can_coordinate(request.user, partnership),
        "page_title": partnership.name,
        "breadcrumbs_items": breadcrumbs(
            (partnership.get_absolute_url(), partnership.name)
        ),
    }
