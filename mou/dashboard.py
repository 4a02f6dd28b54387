"""The MOU panel of the leadership dashboard: states, renewals, signatures."""

import datetime

from django.db.models import Count
from django.utils import timezone

from partnerships.models import Participation, PartnershipRole

from .models import MOU


def mou_figures(user, today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    visible = MOU.objects.visible_to(user)
    by_state = dict(
        visible.values("state").annotate(n=Count("id")).values_list("state", "n")
    )
    renewals = list(
        visible.filter(
            state=MOU.State.EXECUTED,
            end_date__gte=today,
            end_date__lte=today + datetime.timedelta(days=90),
        )
        .select_related("partnership")
        .order_by("end_date")[:10]
    )
    signing = list(
        visible.filter(state=MOU.State.SIGNING)
        .select_related("partnership")
        .order_by("updated_at")[:10]
    )
    signed = set(
        MOU.objects.filter(pk__in=[m.pk for m in signing])
        .filter(signatures__voided_at__isnull=True)
        .values_list(
            "pk", "signatures__organisation_id", "signatures__round", "signing_round"
        )
    )
    signed_pairs = {(pk, org) for pk, org, rnd, current in signed if rnd == current}
    parties = Participation.objects.filter(
        partnership_id__in=[m.partnership_id for m in signing]
    ).values_list("partnership_id", "organisation_id", "organisation__name")
    signatories = {}
    for partnership_id, org_id, name in PartnershipRole.objects.filter(
        participation__partnership_id__in=[m.partnership_id for m in signing],
        role=PartnershipRole.Role.SIGNATORY,
    ).values_list(
        "participation__partnership_id",
        "participation__organisation_id",
        "user__first_name",
    ):
        signatories.setdefault((partnership_id, org_id), []).append(name)
    waiting = []
    for mou in signing:
        missing = [
            (name, ", ".join(signatories.get((pid, org), [])) or "no signatory named")
            for pid, org, name in parties
            if pid == mou.partnership_id and (mou.pk, org) not in signed_pairs
        ]
        waiting.append((mou, missing))
    rows = [(label, by_state.get(value, 0)) for value, label in MOU.State.choices]
    return {"by_state": rows, "renewals": renewals, "waiting": waiting, "today": today}
