"""Writes of the screener: the anonymous counts a completed screen adds, the
list sent to the person who asks for it, and the referral staff make from a
screen (through the referral services and their rules)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerships.emails import send_email
from referrals import services as referral_services

from . import sms
from .models import NeedCount
from .questionnaire import Needs


@transaction.atomic
def screen_count(*, needs: Needs, today=None) -> int:
    """Add one completed screen to the needs picture: one count per need
    signalled, by ZIP-3 area and month. Nothing else about the screen is kept."""
    month = (today or timezone.localdate()).replace(day=1)
    for domain in needs.domains:
        cell = {"domain": domain, "area": needs.area, "month": month}
        updated = NeedCount.objects.filter(**cell).update(screens=F("screens") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    NeedCount.objects.create(**cell, screens=1)
            except IntegrityError:  # another screen made the cell first
                NeedCount.objects.filter(**cell).update(screens=F("screens") + 1)
    return len(needs.domains)


def results_email(*, to: str, matches, link: str) -> None:
    """E-mail the list to the address the person typed (kept nowhere else)."""
    to = (to or "").strip()
    try:
        validate_email(to)
    except ValidationError:
        raise ValidationError(
            _("Enter an e-mail address, like name@example.com.")
        ) from None
    send_email("screener-results", to=[to], context={"matches": matches, "link": link})


def results_text(*, to: str, matches, link: str) -> None:
    """Text the list to the number the person typed (kept nowhere)."""
    number = sms.phone_number(to)
    if number is None:
        raise ValidationError(
            _("Enter a mobile number with ten digits, like 555 010 0100.")
        )
    body = render_to_string(
        "screener/results_sms.txt", {"matches": matches[:5], "link": link}
    )
    sms.send_sms(number, body.strip())


def screen_refer(*, partnership, by, sender, receiver, details: dict, **person):
    """A referral from a staff-assisted screen: only the protocol's fields
    travel (the referral services keep those alone), consent as the protocol
    requires, under the same rules as any referral."""
    return referral_services.referral_create(
        partnership=partnership,
        by=by,
        sender=sender,
        receiver=receiver,
        details=details,
        **person,
    )
