"""The public resource directory as data: HSDS 3.0 JSON and the tabular data
package, published services only, for 211 directories and aggregators."""

import json

from django.http import HttpResponse

from . import hsds, selectors


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
