"""Issue 16, item 4: the MOU page shows how many comments each clause has and
loads a clause's thread only when someone opens it, so the page costs the same
with 10 comments as with 1,000."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mou.comment_views import THREADS_SHOWN

from .conftest import CommentFactory, comments_on

pytestmark = pytest.mark.django_db

PAGE_QUERIES = 40  # the MOU page, whatever the number of comments


def _page(client, mou):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(mou.get_absolute_url())
    assert response.status_code == 200
    return response, len(queries)


def test_the_mou_page_costs_the_same_with_1000_comments_as_with_10(
    cast, draft, client_for, django_assert_max_num_queries
):
    client = client_for(cast.partner)
    comments_on(draft, 10, author=cast.coordinator)
    with django_assert_max_num_queries(PAGE_QUERIES):
        few, few_queries = _page(client, draft)
    comments_on(draft, 990, author=cast.partner)
    with django_assert_max_num_queries(PAGE_QUERIES):
        many, many_queries = _page(client, draft)
    assert many_queries == few_queries
    # The page carries counts, not the comments: its size barely moves.
    assert "Comment number" not in many.text
    assert len(many.content) < len(few.content) * 1.05

    clause = draft.sections.first().clauses.first()
    total = clause.comments.count()
    unresolved = clause.comments.filter(parent__isnull=True).count()
    assert f"{total} comments · {unresolved} open" in many.text


def test_opening_a_clause_loads_its_thread_with_replies(cast, draft, client_for):
    clause = draft.sections.first().clauses.first()
    first = CommentFactory(
        mou=draft, clause=clause, author=cast.coordinator, body="Name a person?"
    )
    CommentFactory(
        mou=draft, clause=clause, parent=first, author=cast.partner, body="Yes."
    )
    other = draft.sections.last().clauses.first()
    CommentFactory(mou=draft, clause=other, author=cast.partner, body="Elsewhere")
    url = reverse("mou:clause_thread", args=[draft.pk, clause.pk])

    thread = client_for(cast.partner).get(url)
    assert thread.status_code == 200
    assert "Name a person?" in thread.text and "Yes." in thread.text
    assert "Elsewhere" not in thread.text
    assert "Resolve" in thread.text and 'name="parent"' in thread.text
    # A leadership viewer reads, and is offered nothing to write.
    read_only = client_for(cast.leader).get(url)
    assert "Name a person?" in read_only.text and "Resolve" not in read_only.text


def test_a_thread_is_for_people_who_may_see_the_mou(cast, draft, client_for, client):
    clause = draft.sections.first().clauses.first()
    CommentFactory(mou=draft, clause=clause, author=cast.coordinator, body="Secret")
    url = reverse("mou:clause_thread", args=[draft.pk, clause.pk])
    assert client.get(url).status_code == 302  # to the login page
    assert client_for(cast.outsider).get(url).status_code == 404
    # A clause of another MOU through this MOU's address: not found.
    assert (
        client_for(cast.partner)
        .get(reverse("mou:clause_thread", args=[draft.pk, 10**6]))
        .status_code
        == 404
    )


def test_a_long_discussion_shows_its_latest_threads(cast, draft, client_for):
    clause = draft.sections.first().clauses.first()
    for n in range(THREADS_SHOWN + 5):
        CommentFactory(
            mou=draft, clause=clause, author=cast.partner, body=f"Thread {n:03}."
        )
    thread = client_for(cast.partner).get(
        reverse("mou:clause_thread", args=[draft.pk, clause.pk])
    )
    assert f"The latest {THREADS_SHOWN} of {THREADS_SHOWN + 5} threads" in thread.text
    assert "Thread 104." in thread.text and "Thread 004." not in thread.text


def test_a_comment_posted_opens_its_thread_and_the_mou_wide_ones_load_too(
    cast, draft, client_for
):
    client = client_for(cast.partner)
    clause = draft.sections.first().clauses.first()
    posted = client.post(
        reverse("mou:comment_add", args=[draft.pk]),
        {"clause": clause.pk, "body": "Who chairs?"},
    )
    assert posted["Location"].endswith(f"#clause-{clause.pk}")
    comment = clause.comments.get()
    replied = client.post(
        reverse("mou:comment_add", args=[draft.pk]),
        {"parent": comment.pk, "body": "The lead."},
    )
    assert replied["Location"].endswith(f"#clause-{clause.pk}")
    page = client.get(draft.get_absolute_url()).text
    assert "2 comments · 1 open" in page
    thread = client.get(reverse("mou:clause_thread", args=[draft.pk, clause.pk]))
    assert "Who chairs?" in thread.text and "The lead." in thread.text

    client.post(reverse("mou:comment_add", args=[draft.pk]), {"body": "Overall?"})
    assert "Comments on the whole MOU" in client.get(draft.get_absolute_url()).text
    general = client.get(reverse("mou:general_thread", args=[draft.pk]))
    assert "Overall?" in general.text and "Who chairs?" not in general.text
