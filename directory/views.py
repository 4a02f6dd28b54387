"""Hub staff's screens for the directory: the listing and forms come from the
viewset; importing an HSDS data package is one extra action on it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from . import hsds, services
from .forms import DirectoryImportForm


def directory_import(request):
    """Hub staff import an HSDS data package: all rows or none."""
    if not request.user.is_staff:
        raise PermissionDenied
    form = DirectoryImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            count = services.directory_import(
                data=form.cleaned_data["file"].read(), by=request.user
            )
        except hsds.HSDSInvalid as invalid:
            problems = invalid.problems
        else:
            messages.success(request, f"{count} services imported.")
            return HttpResponseRedirect(reverse("directory:index"))
    return render(
        request,
        "directory/import.html",
        {
            "form": form,
            "problems": problems,
            "page_title": "Import the directory",
            "breadcrumbs_items": [
                {"url": reverse("wagtailadmin_home"), "label": "Home"},
                {"url": reverse("directory:index"), "label": "Resource directory"},
            ],
        },
    )
