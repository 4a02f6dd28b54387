"""Hub staff preview an uploaded document layout filled in with sample
figures, and only then make it the layout of every export."""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe
from docx import Document
from docx.table import Table
from wagtail.log_actions import log

from . import documents
from .layouts import LayoutRefused, preview_docx
from .models import DocumentTemplate
from .views import _attachment


def _layout_for(user, pk) -> DocumentTemplate:
    """Layouts are hub staff's: the admin middleware refuses everyone else,
    and so does this."""
    if not (user.is_staff and user.has_perm("mou.change_documenttemplate")):
        raise PermissionDenied
    return get_object_or_404(DocumentTemplate, pk=pk)


def _blocks(container) -> list[dict]:
    """Paragraphs and tables in document order, as text."""
    blocks = []
    for item in container.iter_inner_content():
        if isinstance(item, Table):
            rows = [[cell.text for cell in row.cells] for row in item.rows]
            blocks.append({"rows": rows})
        elif item.text.strip():
            blocks.append({"text": item.text, "style": item.style.name})
    return blocks


def _rendered(layout: DocumentTemplate) -> bytes:
    try:
        layout.file.open("rb")
        data = layout.file.read()
        layout.file.close()
    except (OSError, ValueError) as error:
        raise LayoutRefused(
            "The layout’s file cannot be read; upload it again."
        ) from error
    return preview_docx(ContentFile(data, name=layout.file.name))


@require_safe
def layout_preview(request, layout_pk):
    """The layout with sample figures. A clean render is recorded: the layout
    may then be made active (until its file is replaced)."""
    layout = _layout_for(request.user, layout_pk)
    problem, preview = "", None
    try:
        data = _rendered(layout)
    except LayoutRefused as refused:
        problem = str(refused)
    else:
        download = request.GET.get("download")
        if download == "docx":
            return _attachment(data, f"{layout.name} preview", "docx")
        if download == "pdf":
            try:
                return _attachment(
                    documents.docx_to_pdf(data), f"{layout.name} preview", "pdf"
                )
            except documents.PDFUnavailable as unavailable:
                messages.error(request, str(unavailable))
        document = Document(io.BytesIO(data))
        section = document.sections[0]
        preview = {
            "header": _blocks(section.header),
            "body": _blocks(document),
            "footer": _blocks(section.footer),
        }
        if not layout.is_previewed:
            DocumentTemplate.objects.filter(pk=layout.pk).update(
                previewed_file=layout.file.name
            )
            layout.previewed_file = layout.file.name
    return render(
        request,
        "mou/layout_preview.html",
        {
            "layout": layout,
            "problem": problem,
            "preview": preview,
            "pdf_available": bool(documents.soffice()),
            "page_title": f"Preview of the layout “{layout.name}”",
            "header_title": f"Preview of “{layout.name}”",
            "breadcrumbs_items": [
                {"url": reverse("wagtailadmin_home"), "label": "Home"},
                {"url": reverse("mou_layouts:index"), "label": "Document layouts"},
                {"url": "", "label": layout.name},
            ],
        },
    )


@require_POST
def layout_activate(request, layout_pk):
    """Make a previewed layout the one every export uses."""
    layout = _layout_for(request.user, layout_pk)
    preview_url = reverse("mou:layout_preview", args=[layout.pk])
    with transaction.atomic():
        layout = DocumentTemplate.objects.select_for_update().get(pk=layout.pk)
        if not layout.is_previewed:
            messages.error(request, "This layout has not been previewed as it is now.")
            return HttpResponseRedirect(preview_url)
        DocumentTemplate.objects.exclude(pk=layout.pk).update(is_active=False)
        layout.is_active = True
        layout.save(update_fields=["is_active"])
        log(layout, "wagtail.edit", user=request.user)
    messages.success(request, f"“{layout.name}” is now used for every MOU export.")
    return HttpResponseRedirect(reverse("mou_layouts:index"))
