"""The partnership's "Your data" tab: a coordinator downloads the whole
partnership as one archive; hub staff bring one into this installation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from partnerships import permissions
from partnerships.views.base import breadcrumbs, section_context

from . import archive, archive_import


@require_safe
def index(request, pk: int):
    partnership = permissions.get_partnership_for(request.user, pk)
    context = section_context(request, partnership, "data")
    return render(request, "api/archive.html", context)


@require_safe
def download(request, pk: int):
    partnership = permissions.get_partnership_for(request.user, pk, action="coordinate")
    data = archive.partnership_archive(partnership=partnership, by=request.user)
    response = HttpResponse(data, content_type="application/zip")
    name = slugify(partnership.name) or "partnership"
    response["Content-Disposition"] = f'attachment; filename="{name}-archive.zip"'
    return response


def import_archive(request):
    """Hub staff recreate a partnership from its archive."""
    if not (request.user.is_active and request.user.is_staff):
        raise PermissionDenied
    problems = []
    if request.method == "POST":
        upload = request.FILES.get("archive")
        try:
            if upload is None:
                raise ValidationError("Choose the archive to import.")
            if upload.size > archive_import.MAX_BYTES:
                raise ValidationError("The archive is larger than 100 MB.")
            partnership = archive_import.partnership_import(
                data=upload.read(), by=request.user
            )
        except ValidationError as error:
            problems = error.messages
        else:
            messages.success(request, f"{partnership.name} imported.")
            return redirect(partnership.get_absolute_url())
    return render(
        request,
        "api/archive_import.html",
        {
            "page_title": "Import a partnership",
            "breadcrumbs_items": breadcrumbs(),
            "problems": problems,
        },
    )
