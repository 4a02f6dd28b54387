"""The HSDS API's routes, mounted by the project under a versioned prefix:
path("api/hsds/v3/", include("directory.api_urls"))."""

from django.urls import path

from . import api

app_name = "hsds_api"

urlpatterns = [
    path("", api.api_index, name="index"),
    path("services", api.api_services, name="services"),
    path("services/<str:hsds_id>", api.api_service, name="service"),
    path("organizations", api.api_organisations, name="organizations"),
    path("organizations/<str:hsds_id>", api.api_organisation, name="organization"),
    path("taxonomies", api.api_taxonomies, name="taxonomies"),
    path("taxonomies/<str:hsds_id>", api.api_taxonomy, name="taxonomy"),
    path("taxonomy_terms", api.api_taxonomy_terms, name="taxonomy_terms"),
    path("taxonomy_terms/<str:hsds_id>", api.api_taxonomy_term, name="taxonomy_term"),
]
