"""Issue 10, defect 6: a .docx layout upload must not run commands on the server.

Each payload would create a file if Jinja ran it outside the sandbox; the tests
check that the file never appears."""

import io
import shutil
import tempfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from mou import documents, layouts
from mou.models import DocumentTemplate

from ..mou import conftest as mou_fixtures

pytestmark = pytest.mark.django_db

# The MOU fixtures of tests/mou, shared with these attack tests.
draft = mou_fixtures.draft
signing = mou_fixtures.signing
executed = mou_fixtures.executed


def payloads(marker) -> dict[str, str]:
    command = f"touch {marker}"
    return {
        # The reproduction from the issue: a Jinja global's module globals.
        "cycler": f"{{{{ cycler.__init__.__globals__.os.popen('{command}').read() }}}}",
        # Only variables the workspace provides: from a string to every class.
        "subclasses": (
            "{% for c in title.__class__.__mro__[1].__subclasses__() %}"
            "{% if c.__name__ == 'catch_warnings' %}"
            "{{ c.__init__.__globals__['sys'].modules['os']"
            f".popen('{command}').read() }}}}"
            "{% endif %}{% endfor %}"
        ),
        # Names built at run time: nothing to see in the tags, only the sandbox
        # stands in the way.
        "run time": (
            "{%set u='_'~'_'%}"
            "{%for c in title[u~'class'~u][u~'mro'~u][1][u~'subclasses'~u]()%}"
            "{%if c[u~'name'~u]=='catch_warnings'%}"
            "{{c[u~'init'~u][u~'globals'~u]['sys'].modules['os']"
            f".popen('{command}').read()}}}}"
            "{%endif%}{%endfor%}"
        ),
        # The attr filter reaches the same attributes without a dot.
        "attr filter": (
            "{{ (cycler|attr('__init__')|attr('__globals__'))['os']"
            f".popen('{command}').read() }}}}"
        ),
    }


def layout(text: str, *, in_properties: bool = False) -> bytes:
    """A real Word document carrying `text` in its body or its core properties
    (docxtpl renders both)."""
    document = Document()
    document.add_paragraph("House style: {{ title }}")
    if in_properties:
        document.core_properties.subject = text
    else:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def marker():
    # A short path: Word limits a document property to 255 characters.
    folder = Path(tempfile.mkdtemp(prefix="mou"))
    yield folder / "x"
    shutil.rmtree(folder)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.parametrize("kind", ["cycler", "subclasses", "run time", "attr filter"])
@pytest.mark.parametrize("in_properties", [False, True], ids=["body", "properties"])
def test_uploading_a_layout_that_reaches_python_internals_is_refused(
    cast, client_for, marker, kind, in_properties
):
    upload = layout(payloads(marker)[kind], in_properties=in_properties)
    response = client_for(cast.hub).post(
        reverse("mou_layouts:add"),
        {
            "name": "House style",
            "file": SimpleUploadedFile("house.docx", upload),
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "reaches into the server’s internals" in response.text
    assert not DocumentTemplate.objects.exists()
    assert not marker.exists()


@pytest.mark.parametrize("kind", ["cycler", "subclasses", "run time", "attr filter"])
@pytest.mark.parametrize("in_properties", [False, True], ids=["body", "properties"])
def test_exporting_through_a_stored_malicious_layout_runs_nothing(
    cast, executed, client_for, marker, kind, in_properties
):
    # Stored without the upload check, as an older upload or a restore would be.
    DocumentTemplate.objects.create(
        name="House style",
        file=ContentFile(
            layout(payloads(marker)[kind], in_properties=in_properties),
            name="house.docx",
        ),
        is_active=True,
    )
    template = DocumentTemplate.objects.get()
    # ...and taken for previewed: only the sandbox stands in the way now.
    DocumentTemplate.objects.update(previewed_file=template.file.name)
    with pytest.raises(documents.LayoutRefused, match="server’s internals"):
        documents.render_docx(executed, template.file)
    assert not marker.exists()

    response = client_for(cast.partner).get(
        reverse("mou:export", args=[executed.pk, "docx"]), follow=True
    )
    assert response.status_code == 200
    assert "The active document layout cannot be used" in response.text
    assert not marker.exists()


def test_the_upload_trial_uses_every_variable_an_export_provides(cast, executed):
    assert set(layouts.SAMPLE_CONTEXT) == layouts.TEMPLATE_VARIABLES
    assert set(documents.context_for(executed)) == layouts.TEMPLATE_VARIABLES


def test_the_default_layout_renders_in_the_sandbox(cast, executed):
    source = documents.default_template_bytes()
    assert layouts.lint_template(SimpleUploadedFile("default.docx", source)) == []
    assert documents.render_docx(executed)
    assert isinstance(layouts._jinja_env(), layouts.SandboxedEnvironment)
