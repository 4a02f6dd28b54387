"""The public resource directory as data: HSDS 3.0 JSON and the tabular data
package, published services only, for 211 directories and aggregators."""

import functools
import json

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.translation import gettext_noop

from . import hsds, selectors
from .models import DirectoryService


def _published():
    return selectors.published_services()


def directory_json(request):
    """The public directory as HSDS 3.0 JSON (published services only)."""
    body = json.dumps([hsds.service_json(s) for s in _published()], indent=1)
    return HttpResponse(body, content_type="application/json")


def directory_package(request):
    """The public directory as a zipped HSDS tabular data package."""
    services = list(_published())
    response = HttpResponse(
        hsds.data_package(services, selectors.records_for(services)),
        content_type="application/zip",
    )
    response["Content-Disposition"] = 'attachment; filename="directory-hsds.zip"'
    return response


# The languages the public pages are offered in (Django's i18n; translations in
# directory/locale and screener/locale).
PUBLIC_LANGUAGES = {"en": "English", "es": "Español"}
LANGUAGE_COOKIE = "help_language"


def visitor_language(request) -> str:
    """The language the visitor chose (`?lang=`, then their cookie), or English."""
    chosen = request.GET.get("lang") or request.COOKIES.get(LANGUAGE_COOKIE, "")
    return chosen if chosen in PUBLIC_LANGUAGES else "en"


def in_visitor_language(view):
    """Render a public view in the visitor's language, and remember a choice
    made with `?lang=` (a cookie that says only the language)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        language = visitor_language(request)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
        if request.GET.get("lang") in PUBLIC_LANGUAGES:
            response.set_cookie(
                LANGUAGE_COOKIE, language, max_age=365 * 86400, samesite="Lax"
            )
        return response

    return wrapped


def language_links(request) -> list[dict]:
    """The language switch: this page in each other language."""
    current = visitor_language(request)
    links = []
    for code, label in PUBLIC_LANGUAGES.items():
        if code == current:
            continue
        params = request.GET.copy()
        params["lang"] = code
        links.append({"code": code, "label": label, "url": f"?{params.urlencode()}"})
    return links


PAGE_SIZE = 20
# Category names and search suggestions, for the translators (the page
# translates them at run time).
_MARKED = [
    gettext_noop("Housing"),
    gettext_noop("Health care"),
    gettext_noop("Food"),
    gettext_noop("Family support"),
    gettext_noop("Youth"),
    gettext_noop("Income and benefits"),
    gettext_noop("Legal help"),
    gettext_noop("Other"),
    gettext_noop("rent"),
    gettext_noop("food"),
    gettext_noop("doctor"),
    gettext_noop("childcare"),
    gettext_noop("English"),
    gettext_noop("Spanish"),
]


def find_help_context(request) -> dict:
    """What the public "Find help" page shows: published services matching
    the visitor's words (stemmed full-text search) and filters."""
    query = request.GET.get("q", "").strip()[:200]
    category = request.GET.get("category", "")
    language = request.GET.get("language", "").strip()[:50]
    city = request.GET.get("city", "").strip()[:100]
    if query:
        services = selectors.find_help(query)
    else:
        services = selectors.published_services().order_by("name", "pk")
    if category in DirectoryService.Category.values:
        services = services.filter(category=category)
    if language:
        services = services.filter(languages__icontains=language)
    if city:
        services = services.filter(city__iexact=city)
    filters = {"q": query, "category": category, "language": language, "city": city}
    more = request.GET.copy()
    more.pop("p", None)
    return {
        "page_obj": Paginator(services, PAGE_SIZE).get_page(request.GET.get("p")),
        "categories": DirectoryService.Category.choices,
        # Distinct in the database: a directory of thousands has a few cities.
        "cities": list(
            DirectoryService.objects.published()
            .exclude(city="")
            .order_by("city")
            .values_list("city", flat=True)
            .distinct()
        ),
        "filters": filters,
        "filtered": any(filters.values()),
        "more_query": more.urlencode(),
        "language_links": language_links(request),
        "suggestions": ["rent", "food", "doctor", "childcare"],
    }


@in_visitor_language
def service_detail(request, uid):
    """One published service, as the public sees it."""
    service = get_object_or_404(selectors.published_services(), uid=uid)
    return TemplateResponse(
        request,
        "directory/service_detail.html",
        {"service": service, "language_links": language_links(request)},
    )
