"""What every workspace page shares: the partnership's header, its sections,
breadcrumbs and pagination."""

from django.core.paginator import Paginator
from django.urls import reverse

from .. import permissions

PAGE_SIZE = 25

# Sections of a partnership: (key, label, URL name), each an app's own page.
SECTIONS = [
    ("overview", "Overview", "partnerships:detail"),
    ("partners", "Partners and people", "partnerships:partners"),
    ("logic-model", "Logic model", "logicmodels:index"),
    ("mou", "MOU", "mou:index"),
    ("meetings", "Meetings", "meetings:index"),
    ("responsibilities", "Responsibilities", "partnerships:responsibilities"),
    ("learning", "Learning log", "partnerships:learning"),
    ("referrals", "Referrals", "referrals:index"),
    ("health", "Health checks", "partnerships:health"),
    ("history", "History", "partnerships:history"),
]
SECTION_URL_NAMES = {key: name for key, _label, name in SECTIONS}


def section_links(partnership) -> list[tuple[str, str, str]]:
    return [
        (key, label, reverse(name, args=[partnership.pk]))
        for key, label, name in SECTIONS
    ]


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
