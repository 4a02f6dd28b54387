"""The project's URLs with the public verification page, until cms/urls.py
mounts it at /verify/."""

from django.urls import path

from cms.urls import urlpatterns as project
from mou import public

urlpatterns = [path("verify/", public.verify, name="mou_verify"), *project]
