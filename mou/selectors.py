"""Reads of MOUs that are not screens: which executed agreement a fingerprint
belongs to, and which agreements wait for a person's signature."""

from __future__ import annotations

import re

from django.urls import reverse

from partnerships import permissions
from partnerships.models import Organisation, PartnershipRole
from partnerships.next_steps import PER_APP, NextStep

from .models import MOU, Comment, Signature

HEX = re.compile(r"[0-9a-f]+")


def normalise_fingerprint(text: str) -> str:
    """A fingerprint as people copy it (spaces, capitals) in its stored form."""
    return "".join((text or "").split()).lower()


def executed_with_fingerprint(fingerprint: str) -> MOU | None:
    """The executed (possibly since ended) MOU whose signed text has this
    SHA-256: the full 64 digits, or the 16 printed in each page's footer."""
    fingerprint = normalise_fingerprint(fingerprint)
    if not HEX.fullmatch(fingerprint) or len(fingerprint) not in (16, 64):
        return None
    executed = MOU.objects.filter(executed_at__isnull=False)
    if len(fingerprint) == 64:
        return executed.filter(frozen_hash=fingerprint).first()
    return executed.filter(frozen_hash__startswith=fingerprint).first()


def next_steps(user) -> list[NextStep]:
    """An MOU in signing that an organisation the person signs for has not
    signed in this round. Four queries whatever the number of MOUs."""
    acting = permissions.editing_org_ids_of(user)
    if not acting:
        return []
    signs_for = set(
        PartnershipRole.objects.filter(
            user=user,
            role=PartnershipRole.Role.SIGNATORY,
            participation__organisation_id__in=acting,
            participation__partnership__in=permissions.visible_partnerships(user),
        ).values_list("participation__partnership_id", "participation__organisation_id")
    )
    if not signs_for:
        return []
    waiting = list(
        MOU.objects.filter(
            state=MOU.State.SIGNING,
            partnership_id__in={partnership for partnership, _ in signs_for},
        )
        .select_related("partnership")
        .order_by("pk")[:PER_APP]
    )
    signed = set(
        Signature.objects.filter(mou__in=waiting, voided_at__isnull=True).values_list(
            "mou_id", "round", "organisation_id"
        )
    )
    names = dict(
        Organisation.objects.filter(
            pk__in={organisation for _, organisation in signs_for}
        ).values_list("pk", "name")
    )
    return [
        NextStep(
            "mou.sign",
            f"Sign “{mou.title}” (version {mou.version}) for {names[organisation]}",
            reverse("mou:sign", args=[mou.pk]),
        )
        for mou in waiting
        for partnership, organisation in sorted(signs_for)
        if partnership == mou.partnership_id
        and (mou.pk, mou.signing_round, organisation) not in signed
    ]


def review_steps(user) -> list[NextStep]:
    """For people who co-author for a party: MOUs in review in their
    partnerships (read and comment before signing opens), and open comments
    that mention them by @username. Two queries, plus the policy's own."""
    acting = permissions.editing_org_ids_of(user)
    if not acting:
        return []
    working = permissions.visible_partnerships(user).filter(
        participations__organisation__in=acting
    )
    in_review = (
        MOU.objects.filter(state=MOU.State.IN_REVIEW, partnership__in=working)
        .select_related("partnership")
        .distinct()
        .order_by("pk")[:PER_APP]
    )
    steps = [
        NextStep(
            "mou.review",
            f"Review “{mou.title}” (version {mou.version}) before signing opens "
            f"({mou.partnership.name})",
            mou.get_absolute_url(),
        )
        for mou in in_review
    ]
    if user.username:
        mentions = (
            Comment.objects.filter(
                mou__partnership__in=working,
                resolved_at__isnull=True,
                body__icontains=f"@{user.username}",
            )
            .exclude(author=user)
            .select_related("mou", "clause", "author")
            .order_by("-created_at", "-pk")[:PER_APP]
        )
        for comment in mentions:
            if not re.search(
                rf"@{re.escape(user.username)}\b", comment.body, re.IGNORECASE
            ):
                continue  # @anna is not @annabel
            author = comment.author
            who = (author.get_full_name() or author.username) if author else "Someone"
            url = (
                comment.clause.get_absolute_url()
                if comment.clause
                else comment.mou.get_absolute_url()
            )
            steps.append(
                NextStep(
                    "mou.mention",
                    f"{who} mentioned you on “{comment.mou.title}”",
                    url,
                )
            )
    return steps
