"""Reads of MOUs that are not screens: which executed agreement a fingerprint
belongs to, and which agreements wait for a person's signature."""

from __future__ import annotations

import re

from django.urls import reverse

from partnerships import permissions
from partnerships.models import Organisation, PartnershipRole
from partnerships.next_steps import PER_APP, NextStep

from .models import MOU, Signature

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
