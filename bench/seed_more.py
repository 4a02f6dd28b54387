"""More of the benchmark's data: the benchmark person's coordinator role, the
directory's services and the large MOU's comments (run inside Django)."""

from django.contrib.auth import get_user_model
from django.db import transaction

from partnerships.models import (
    Organisation,
    Participation,
    Partnership,
    PartnershipRole,
)

from .seed import BENCH_USER, COMMENTS, SERVICES


@transaction.atomic
def seed_coordinator() -> bool:
    """The benchmark person coordinates the first partnership for their
    organisation (and only that one)."""
    user = get_user_model().objects.get(username=BENCH_USER)
    participation = Participation.objects.filter(
        partnership=Partnership.objects.order_by("pk").first(),
        organisation__memberships__user=user,
    ).first()
    _role, created = PartnershipRole.objects.get_or_create(
        participation=participation,
        user=user,
        role=PartnershipRole.Role.COORDINATOR,
    )
    return created


@transaction.atomic
def seed_directory() -> bool:
    """One published service per organisation (the HSDS API pages them)."""
    from directory.models import DirectoryService

    if DirectoryService.objects.filter(name__startswith="Bench service").exists():
        return False
    categories = DirectoryService.Category.values
    DirectoryService.objects.bulk_create(
        DirectoryService(
            organisation=organisation,
            name=f"Bench service {i:04}",
            description="Help with forms, food and housing, in several languages.",
            category=categories[i % len(categories)],
            languages="English, Spanish",
            city="Boston",
            postal_code="02119",
            published=True,
        )
        for i, organisation in enumerate(Organisation.objects.order_by("pk")[:SERVICES])
    )
    return True


@transaction.atomic
def seed_comments() -> bool:
    """1,000 comments (a third of them replies) on the large MOU's clauses."""
    from mou.models import MOU, Clause, Comment

    mou = MOU.objects.get(title="Large benchmark MOU")
    if mou.comments.exists():
        return False
    author = get_user_model().objects.get(username=BENCH_USER)
    clauses = list(Clause.objects.filter(section__mou=mou).order_by("pk"))
    roots = Comment.objects.bulk_create(
        Comment(
            mou=mou,
            clause=clauses[n % len(clauses)],
            author=author,
            body=f"Comment {n}: could we say “monthly” & name who keeps the records?",
        )
        for n in range(COMMENTS * 2 // 3)
    )
    Comment.objects.bulk_create(
        Comment(
            mou=mou,
            clause=roots[n].clause,
            parent=roots[n],
            author=author,
            body=f"Reply {n}: agreed.",
        )
        for n in range(COMMENTS - len(roots))
    )
    return True
