"""The project's URLs with the HSDS API mounted where cms/urls.py is asked to
mount it (until it does, the API tests use this)."""

from django.urls import include, path

from cms.urls import urlpatterns as project

urlpatterns = [path("api/hsds/v3/", include("directory.api_urls")), *project]
