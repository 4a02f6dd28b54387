import factory
import pytest

from mou import services
from mou.default_template import ensure_default_template
from mou.models import MOU, Clause, Comment, Section


def commit_each_party(mou: MOU, by) -> None:
    """Give every party a commitment in the roles section (a fresh revision)."""
    section = mou.sections.get(kind="roles")
    clauses = [
        {
            "id": c.pk,
            "text": c.text,
            "responsible": None,
            "due_date": None,
            "cadence": "",
        }
        for c in section.clauses.all()
    ]
    for organisation in mou.parties():
        clauses.append(
            {
                "text": f"{organisation.name} refers families within two days.",
                "responsible": organisation,
                "due_date": None,
                "cadence": "",
            }
        )
    mou.refresh_from_db()
    services.mou_section_save(
        mou=mou,
        section=section,
        by=by,
        base_revision_id=mou.latest_revision_id,
        heading=section.heading,
        kind=section.kind,
        clauses=clauses,
    )


@pytest.fixture
def draft(cast) -> MOU:
    return services.mou_create_from_template(
        partnership=cast.eastside,
        template=ensure_default_template(),
        by=cast.coordinator,
    )


@pytest.fixture
def signing(cast, draft) -> MOU:
    commit_each_party(draft, cast.coordinator)
    services.mou_submit_for_review(mou=draft, by=cast.coordinator)
    return services.mou_open_signing(mou=draft, by=cast.coordinator)


def sign_all(cast, mou, *, skip=()):
    signers = [
        (cast.coordinator, cast.northside),
        (cast.signatory, cast.riverside),
        (cast.housing, cast.housing_org),
    ]
    for user, organisation in signers:
        if organisation in skip:
            continue
        current = MOU.objects.get(pk=mou.pk)
        services.mou_sign(
            mou=current,
            by=user,
            organisation=organisation,
            full_name=user.get_full_name() or user.username,
            title="Director",
            fingerprint=current.frozen_hash,
        )
    return MOU.objects.get(pk=mou.pk)


@pytest.fixture
def executed(cast, signing) -> MOU:
    return sign_all(cast, signing)


LARGE_SECTIONS, LARGE_CLAUSES = 40, 300


@pytest.fixture
def large_executed(cast, draft) -> MOU:
    """The benchmark's large MOU (40 sections, 300 more clauses), executed."""
    have = draft.sections.count()
    Section.objects.bulk_create(
        Section(mou=draft, order=100 + n, kind="other", heading=f"Schedule {n}")
        for n in range(LARGE_SECTIONS - have)
    )
    sections = list(draft.sections.all())
    Clause.objects.bulk_create(
        Clause(
            section=sections[n % len(sections)],
            order=100 + n,
            text=f"Clause {n}: the partners keep shared records of referrals & "
            "outcomes, reviewed “monthly”.",
        )
        for n in range(LARGE_CLAUSES)
    )
    draft.save_revision(clean=False)
    commit_each_party(draft, cast.coordinator)
    services.mou_submit_for_review(mou=draft, by=cast.coordinator)
    services.mou_open_signing(mou=draft, by=cast.coordinator)
    return sign_all(cast, draft)


class CommentFactory(factory.django.DjangoModelFactory):
    """A comment on a clause of `mou` (pass mou, clause, author)."""

    class Meta:
        model = Comment

    body = factory.Sequence(lambda n: f"Comment number {n} on this clause.")


def comments_on(mou: MOU, count: int, *, author, replies_every: int = 3) -> None:
    """`count` comments spread over the MOU's clauses, every third a reply."""
    clauses = [c for s in mou.sections.all() for c in s.clauses.all()]
    made: list[Comment] = []
    for n in range(count):
        parent = made[-1] if n % replies_every == 2 and made else None
        made.append(
            CommentFactory(
                mou=mou,
                clause=parent.clause if parent else clauses[n % len(clauses)],
                parent=parent.parent or parent if parent else None,
                author=author,
            )
        )
