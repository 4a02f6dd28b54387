"""Comments on an MOU and on its clauses, with mentions and watchers."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from partnerships.emails import send_email

from ..models import MOU, Clause, Comment, Watch
from .base import User, _record, _refusals_recorded, _require_edit, _url, _with_access

MENTION = re.compile(r"@([\w.@+-]+)")


@_refusals_recorded
@transaction.atomic
def comment_add(
    *,
    mou: MOU,
    by,
    body: str,
    clause: Clause | None = None,
    parent: Comment | None = None,
) -> Comment:
    _require_edit(mou, by)
    body = body.strip()
    if not body:
        raise ValidationError("Write a comment first.")
    if clause is not None and clause.section.mou_id != mou.pk:
        raise PermissionDenied
    if parent is not None:
        if parent.mou_id != mou.pk:
            raise PermissionDenied
        clause = parent.clause
        parent = parent.parent or parent
    comment = Comment.objects.create(
        mou=mou, clause=clause, parent=parent, author=by, body=body
    )
    Watch.objects.get_or_create(mou=mou, user=by)
    mentioned = set(MENTION.findall(body))
    recipients = set(
        User.objects.filter(username__in=mentioned).values_list("email", flat=True)
    ) | set(mou.watchers.exclude(user=by).values_list("user__email", flat=True))
    recipients.discard(by.email)
    _record(mou, "comment", by, clause=clause.text[:60] if clause else "")
    # Mentions and watchers alike: only people who may still see the partnership
    # (a watcher whose organisation left keeps their Watch row, not the mail).
    send_email(
        "mou-comment",
        to=_with_access(mou, recipients),
        context={"mou": mou, "comment": comment, "url": _url(mou)},
        partnership=mou.partnership,
    )
    return comment


@_refusals_recorded
@transaction.atomic
def comment_resolve(*, comment: Comment, by, resolved: bool) -> Comment:
    _require_edit(comment.mou, by)
    comment.resolved_at = timezone.now() if resolved else None
    comment.resolved_by = by if resolved else None
    comment.save(update_fields=["resolved_at", "resolved_by"])
    _record(comment.mou, "resolve_comment" if resolved else "reopen_comment", by)
    return comment
