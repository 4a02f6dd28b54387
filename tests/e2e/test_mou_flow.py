import io

import pytest
from docx import Document
from playwright.sync_api import expect

from accountability.models import Responsibility
from mou.default_template import ensure_default_template
from mou.models import MOU

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_partners_write_sign_and_track_an_mou(cast, page, live_server, login):
    # Transactional tests empty the database between tests; bring the shipped
    # template back as a fresh installation has it.
    ensure_default_template()
    base = live_server.url
    login("coordinator")
    page.goto(f"{base}/admin/mou/partnership/{cast.eastside.pk}/")
    page.get_by_role("button", name="Start from this template").click()
    expect(page.get_by_text("MOU started from the template")).to_be_visible()
    mou = MOU.objects.get()

    # A commitment for each partner in "Roles and responsibilities".
    roles = mou.sections.get(kind="roles")
    for organisation in [
        "Riverside Health Clinic",
        "Northside Family Services",
        "Eastside Housing Coalition",
    ]:
        page.goto(f"{base}/admin/mou/{mou.pk}/sections/{roles.pk}/")
        forms = page.locator("fieldset")
        last = forms.nth(forms.count() - 1)
        last.locator("textarea").fill(
            f"{organisation} screens and refers families within two days."
        )
        last.locator("select").first.select_option(label=organisation)
        page.get_by_role("button", name="Save section").click()
        expect(page.get_by_text("Roles and responsibilities” saved")).to_be_visible()

    # Partners discuss a clause: its thread loads when it is opened, and
    # opens by itself after a comment or a reply.
    page.goto(f"{base}/admin/mou/{mou.pk}/")
    clause = page.locator(f"#clause-{mou.sections.first().clauses.first().pk}")
    expect(clause.locator("summary")).to_have_text("0 comments")
    clause.locator("summary").click()
    clause.locator("textarea").fill("Should this name a person?")
    clause.get_by_role("button", name="Comment", exact=True).click()
    expect(page.get_by_text("Comment added.")).to_be_visible()
    expect(clause.locator("summary")).to_have_text("1 comment · 1 open")
    expect(clause.locator("[data-comment]")).to_contain_text(
        "Should this name a person?"
    )
    clause.locator("[data-comment] input[name=body]").fill("Yes, the intake lead.")
    clause.get_by_role("button", name="Reply").click()
    expect(clause.locator("[data-comment]")).to_contain_text("Yes, the intake lead.")
    expect(clause.locator("summary")).to_have_text("2 comments · 1 open")

    page.get_by_role("button", name="Submit for review").click()
    page.get_by_role("button", name="Open signing").click()
    expect(page.get_by_text("Signing is open")).to_be_visible()

    for username, title in [
        ("coordinator", "Partnerships Manager"),
        ("signatory", "Chief Executive"),
        ("housing", "Executive Director"),
    ]:
        login(username)
        page.goto(f"{base}/admin/mou/{mou.pk}/")
        page.get_by_role("link", name="Sign for").click()
        page.fill("input[name=full_name]", f"{username.title()} Person")
        page.fill("input[name=title]", title)
        page.check("input[name=confirm]")
        page.get_by_role("button", name="Sign").click()

    expect(page.locator("[data-mou-state]")).to_have_attribute(
        "data-mou-state", "executed"
    )
    expect(page.get_by_text("the MOU is executed")).to_be_visible()
    assert Responsibility.objects.filter(
        source="mou_clause", owner=cast.riverside
    ).exists()

    page.get_by_role("link", name="responsibility tracker").click()
    expect(
        page.get_by_text("Riverside Health Clinic screens and refers families")
    ).to_be_visible()

    page.goto(f"{base}/admin/mou/{mou.pk}/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download .docx").click()
    document = Document(io.BytesIO(open(download.value.path(), "rb").read()))  # noqa: SIM115
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text
        for table in document.tables
        for row in table.rows
        for cell in row.cells
    )
    assert "Riverside Health Clinic screens and refers families" in text
    for name in ["Coordinator Person", "Signatory Person", "Housing Person"]:
        assert name in text
    assert "Northside Family Services — Lead partner" in text
