"""A clause's comment thread, loaded when someone opens it on the MOU page:
the page itself carries only the counts. Access as for the MOU page."""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from partnerships import permissions

from .models import Clause, Comment
from .views import get_mou_for

# The most recent threads a fragment shows; a longer discussion says so.
THREADS_SHOWN = 100


def _thread(request, mou, clause):
    threads = (
        Comment.objects.filter(mou=mou, clause=clause, parent__isnull=True)
        .select_related("author", "resolved_by")
        .prefetch_related(
            Prefetch("replies", queryset=Comment.objects.select_related("author"))
        )
        .order_by("-created_at", "-pk")
    )
    shown = list(threads[: THREADS_SHOWN + 1])
    more = len(shown) > THREADS_SHOWN
    return render(
        request,
        "mou/_thread.html",
        {
            "mou": mou,
            "comments": shown[:THREADS_SHOWN][::-1],
            "more": more,
            "total": threads.count() if more else len(shown),
            "can_comment": permissions.can_edit(request.user, mou.partnership),
        },
    )


@require_safe
def clause_thread(request, mou_pk, clause_pk):
    """The comments on one clause, oldest first, with their replies."""
    mou = get_mou_for(request.user, mou_pk)
    clause = get_object_or_404(Clause, pk=clause_pk, section__mou=mou)
    return _thread(request, mou, clause)


@require_safe
def general_thread(request, mou_pk):
    """The comments on the MOU as a whole."""
    mou = get_mou_for(request.user, mou_pk)
    return _thread(request, mou, None)
