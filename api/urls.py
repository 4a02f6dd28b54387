"""The workspace's API, mounted by the project:
path("api/v1/", include("api.urls")) and
path("api/fhir/r4/", include("api.fhir_urls"))."""

from django.urls import path

from . import read_views
from .resources import RESOURCES

app_name = "read_api"

urlpatterns = [
    path("", read_views.index, name="index"),
    path("openapi.json", read_views.openapi_document, name="openapi"),
]
for _resource in RESOURCES:
    urlpatterns += [
        path(
            _resource.name,
            read_views.list_view,
            {"name": _resource.name},
            name=_resource.name,
        ),
        path(
            f"{_resource.name}/<int:pk>",
            read_views.detail_view,
            {"name": _resource.name},
            name=f"{_resource.name}-detail",
        ),
    ]
