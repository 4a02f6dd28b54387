"""What every workspace page shares: the partnership's header, its sections,
breadcrumbs and pagination."""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from wagtail import hooks

from .. import permissions

PAGE_SIZE = 25


@dataclass(frozen=True)
class Section:
    """One tab of a partnership's pages. Each app registers its own through the
    `register_partnership_section` hook, so adding an app touches no other."""

    key: str
    label: str
    url_name: str
    order: int


def sections() -> list[Section]:
    found = [hook() for hook in hooks.get_hooks("register_partnership_section")]
    return sorted(found, key=lambda section: section.order)


def section_url_name(key: str) -> str | None:
    return next((s.url_name for s in sections() if s.key == key), None)


def section_links(partnership) -> list[tuple[str, str, str]]:
    return [
        (section.key, section.label, reverse(section.url_name, args=[partnership.pk]))
        for section in sections()
    ]


def breadcrumbs(*items):
    return [
        {"url": reverse("wagtailadmin_home"), "label": "Home"},
        {"url": reverse("partnerships:index"), "label": "Partnerships"},
        *({"url": url, "label": label} for url, label in items),
    ]


def form_page(
    request,
    partnership,
    form,
    *,
    title: str,
    submit_label: str,
    cancel_url: str,
    intro: str = "",
    template: str = "partnerships/form.html",
    **extra,
):
    """The page of one form inside a partnership: title, what the form is for,
    its fields and errors, the submit and cancel buttons, and the way back."""
    return render(
        request,
        template,
        {
            "form": form,
            "partnership": partnership,
            "page_title": title,
            "page_intro": intro,
            "submit_label": submit_label,
            "cancel_url": cancel_url,
            "breadcrumbs_items": breadcrumbs(
                (partnership.get_absolute_url(), partnership.name)
            ),
            **extra,
        },
    )


def paginate(request, queryset, per_page=PAGE_SIZE):
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(request.GET.get("p"))


def section_context(request, partnership, section):
    links = section_links(partnership)
    return {
        "partnership": partnership,
        "section": section,
        "sections": links,
        "can_edit": permissions.can_edit(request.user, partnership),
        "can_coordinate": permissions.can_coordinate(request.user, partnership),
        # The tab a page belongs to names it ("Meetings: Eastside …"); views
        # showing one object replace it with that object.
        "page_title": next(
            (label for key, label, _ in links if key == section and key != "overview"),
            partnership.name,
        ),
        "breadcrumbs_items": breadcrumbs(
            (partnership.get_absolute_url(), partnership.name)
        ),
    }
