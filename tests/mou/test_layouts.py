"""Issue 14, item 4: hub staff see an uploaded layout filled in with sample
figures before it can be made active; exports use only a layout previewed as
it is now. (The sandbox and the upload lint: tests/security/test_mou_layouts.py
and test_documents.py.)"""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from mou.layouts import PREVIEW_FIRST
from mou.models import DocumentTemplate

from .test_document_files import Pdf, needs_pdf_tools

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _layout(*lines: str) -> bytes:
    document = Document()
    document.sections[0].header.paragraphs[0].text = "{{ state_mark }}"
    for line in lines:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


HOUSE = _layout(
    "House style: {{ title }} v{{ version }} for {{ partnership }}",
    "{% for party in parties %}{{ party.name }}{% endfor %}",
)


def _upload(client, **extra):
    return client.post(
        reverse("mou_layouts:add"),
        {"name": "House style", "file": SimpleUploadedFile("house.docx", HOUSE)}
        | extra,
    )


def _text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    return "\n".join(
        [p.text for p in document.sections[0].header.paragraphs]
        + [p.text for p in document.paragraphs]
    )


def test_a_new_layout_cannot_be_made_active_before_its_preview(
    cast, client_for, executed
):
    hub = client_for(cast.hub)
    refused = _upload(hub, is_active="on")
    assert refused.status_code == 200
    assert PREVIEW_FIRST.split(":")[0] in refused.text.replace("&#x27;", "'")
    assert not DocumentTemplate.objects.exists()

    assert _upload(hub).status_code == 302
    layout = DocumentTemplate.objects.get()
    assert not layout.is_previewed
    # Nor by ticking "active" on its page, nor with the button's request.
    edit = hub.post(
        reverse("mou_layouts:edit", args=[layout.pk]),
        {"name": "House style", "is_active": "on"},
    )
    assert edit.status_code == 200 and "Preview this layout" in edit.text
    hub.post(reverse("mou:layout_activate", args=[layout.pk]))
    layout.refresh_from_db()
    assert not layout.is_active

    # Switched on behind the workspace's back (a shell, a restore), it is still
    # not used: exports keep the default layout.
    DocumentTemplate.objects.update(is_active=True)
    exported = client_for(cast.partner).get(
        reverse("mou:export", args=[executed.pk, "docx"])
    )
    assert "House style" not in _text(exported.content)
    assert "Certificate of completion" in _text(exported.content)


def test_the_preview_shows_sample_figures_then_the_layout_can_be_made_active(
    cast, client_for, executed
):
    hub = client_for(cast.hub)
    _upload(hub)
    layout = DocumentTemplate.objects.get()
    listing = hub.get(reverse("mou_layouts:index"))
    preview_url = reverse("mou:layout_preview", args=[layout.pk])
    assert f'href="{preview_url}"' in listing.text
    assert "Preview (needed before use)" in listing.text

    page = hub.get(preview_url)
    assert page.status_code == 200
    assert "House style: Sample partnership MOU v1 for Sample partnership" in (
        page.text
    )
    assert "DRAFT — not for signature" in page.text  # the page header
    assert "Sample Family Services" in page.text
    sample = hub.get(preview_url + "?download=docx")
    assert "House style: Sample partnership MOU v1" in _text(sample.content)
    layout.refresh_from_db()
    assert layout.is_previewed

    older = DocumentTemplate.objects.create(
        name="Older",
        file=ContentFile(_layout("Older: {{ title }}"), name="older.docx"),
        is_active=True,
    )
    DocumentTemplate.objects.filter(pk=older.pk).update(previewed_file=older.file.name)
    done = hub.post(reverse("mou:layout_activate", args=[layout.pk]), follow=True)
    assert "is now used for every MOU export" in done.text
    assert list(DocumentTemplate.objects.filter(is_active=True)) == [layout]
    exported = client_for(cast.partner).get(
        reverse("mou:export", args=[executed.pk, "docx"])
    )
    assert "House style: Eastside Family Support Partnership MOU v1" in _text(
        exported.content
    )


def test_a_replaced_file_needs_its_own_preview(cast, client_for):
    hub = client_for(cast.hub)
    _upload(hub)
    layout = DocumentTemplate.objects.get()
    hub.get(reverse("mou:layout_preview", args=[layout.pk]))
    hub.post(reverse("mou:layout_activate", args=[layout.pk]))
    replaced = hub.post(
        reverse("mou_layouts:edit", args=[layout.pk]),
        {
            "name": "House style",
            "file": SimpleUploadedFile("new.docx", _layout("New: {{ title }}")),
            "is_active": "on",
        },
    )
    assert replaced.status_code == 200 and "Preview this layout" in replaced.text
    layout.refresh_from_db()
    assert DocumentTemplate.active() == layout  # the previewed file stays in use


def test_a_layout_that_cannot_be_filled_in_shows_why_and_stays_inactive(
    cast, client_for
):
    # Stored without the upload check (an older upload, a restore).
    layout = DocumentTemplate.objects.create(
        name="Broken",
        file=ContentFile(_layout("{{ title }} {{ phone_number }}"), name="b.docx"),
    )
    hub = client_for(cast.hub)
    page = hub.get(reverse("mou:layout_preview", args=[layout.pk]))
    assert "This layout cannot be used" in page.text
    assert "phone_number" in page.text
    assert "Use this layout for every export" not in page.text
    refused = hub.post(reverse("mou:layout_activate", args=[layout.pk]), follow=True)
    assert "has not been previewed" in refused.text
    layout.refresh_from_db()
    assert not layout.is_previewed and not layout.is_active


def test_only_hub_staff_preview_or_activate_layouts(cast, client_for):
    layout = DocumentTemplate.objects.create(
        name="House", file=ContentFile(HOUSE, name="house.docx")
    )
    preview = reverse("mou:layout_preview", args=[layout.pk])
    activate = reverse("mou:layout_activate", args=[layout.pk])
    for who in (cast.coordinator, cast.partner, cast.outsider):
        client = client_for(who)
        # Refused as Wagtail refuses: back to the dashboard.
        for response in (client.get(preview), client.post(activate)):
            assert (response.status_code, response["Location"]) == (302, "/admin/")
    layout.refresh_from_db()
    assert not layout.is_previewed and not layout.is_active


@needs_pdf_tools
def test_the_preview_downloads_as_a_pdf_too(cast, client_for, tmp_path):
    hub = client_for(cast.hub)
    _upload(hub)
    layout = DocumentTemplate.objects.get()
    response = hub.get(
        reverse("mou:layout_preview", args=[layout.pk]) + "?download=pdf"
    )
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith('House style preview.pdf"')
    pdf = Pdf(response.content, tmp_path, "preview")
    assert "House style: Sample partnership MOU v1" in pdf.text
    assert pdf.pages[0].lstrip().startswith("DRAFT — not for signature")
