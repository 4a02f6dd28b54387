from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls

from directory import public as directory_public
from meetings import public as meetings_public
from mou import public as mou_public
from partnerships import public as partnerships_public

from . import views

urlpatterns = [
    path("healthz/", views.healthz, name="healthz"),
    path(
        "invitations/<str:token>/",
        partnerships_public.invitation_accept,
        name="invitation_accept",
    ),
    path("calendar/<str:token>.ics", meetings_public.feed, name="meetings_feed"),
    path(
        "directory/hsds.json",
        directory_public.directory_json,
        name="directory_json",
    ),
    path(
        "directory/hsds.zip",
        directory_public.directory_package,
        name="directory_package",
    ),
    path(
        "find-help/service/<uuid:uid>/",
        directory_public.service_detail,
        name="directory_service",
    ),
    # The public needs screener (no account; nothing about the person kept).
    path("screener/", include("screener.urls")),
    path("rsvp/<str:token>/", meetings_public.rsvp, name="meetings_rsvp"),
    # Whether a PDF or fingerprint is an executed agreement: yes or no, nothing
    # more.
    path("verify/", mou_public.verify, name="mou_verify"),
    # The open directory as the HSDS 3.0 API (published services only).
    path("api/hsds/v3/", include("directory.api_urls")),
    # The workspace's API for partners' own systems (organisation tokens).
    path("api/v1/", include("api.urls")),
    path("api/fhir/r4/", include("api.fhir_urls")),
    path("admin/", include(wagtailadmin_urls)),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's page serving comes last: it matches every remaining path.
urlpatterns.append(path("", include(wagtail_urls)))
