"""Services that meet a screen's needs, ranked by fit and explained.

One query ranks them in the database: it keeps published services in the
categories (or taxonomy terms) that meet the needs, drops those whose stated
eligibility the person does not meet (age, ZIP area, income), and scores the
rest by stated eligibility met, language, open now or soon on the service's own
clock, fees and distance. Distance is an equirectangular approximation in
kilometres inside a bounding box, in ORM expressions, so SQLite and PostgreSQL
both compute it; services without coordinates stay in, ranked as middling.
`match` is what the benchmark times (10,000 services: under 300 ms)."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import (
    Avg,
    Case,
    F,
    FloatField,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, Replace, Sqrt
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from directory import selectors
from directory.models import DAYS, DirectoryService

from .questionnaire import Needs

KM_PER_DEGREE = 111.32
KM_PER_MILE = 1.609344
RADIUS_KM = 80
SOON = datetime.timedelta(hours=2)
LIMIT = 20
# How much each kind of fit weighs; distance costs a point a kilometre.
WEIGHTS = {"eligible": 15, "language": 20, "open": 10, "free": 10}
UNKNOWN_DISTANCE_KM = 25
MAX_DISTANCE_COST = 60


@dataclass
class Match:
    service: DirectoryService
    score: float
    reasons: list[str]
    distance_km: float | None

    @property
    def distance_miles(self) -> float | None:
        if self.distance_km is None:
            return None
        return round(self.distance_km / KM_PER_MILE, 1)


def place_of(zip_code: str) -> tuple[float, float] | None:
    """Where a ZIP code is: the mean of the directory's locations in it, else in
    its three-digit area. (One query; no outside geocoder sees the ZIP.)"""
    if not zip_code:
        return None
    located = DirectoryService.objects.filter(
        latitude__isnull=False, longitude__isnull=False
    )
    for lookup in (
        {"postal_code": zip_code},
        {"postal_code__startswith": zip_code[:3]},
    ):
        point = located.filter(**lookup).aggregate(
            lat=Avg("latitude"), lon=Avg("longitude")
        )
        if point["lat"] is not None:
            return point["lat"], point["lon"]
    return None


def _need_filter(needs: Needs) -> Q | None:
    match = Q()
    if needs.categories:
        match |= Q(category__in=sorted(needs.categories))
    for term in sorted(needs.terms):
        match |= Q(taxonomy_terms__icontains=term)
    return match or None


def _eligible(needs: Needs) -> tuple[Q, list]:
    """Drops services whose stated eligibility the person does not meet, and
    counts the stated criteria they do."""
    keep = Q()
    met = []
    if needs.age is not None:
        keep &= Q(min_age__isnull=True) | Q(min_age__lte=needs.age)
        keep &= Q(max_age__isnull=True) | Q(max_age__gte=needs.age)
        met.append(Q(min_age__isnull=False) | Q(max_age__isnull=False))
    if needs.zip_code:
        keep &= (
            Q(service_area="")
            | Q(area_list__contains=f",{needs.zip_code},")
            | Q(area_list__contains=f",{needs.area},")
        )
        met.append(~Q(service_area=""))
    if needs.income is not None:
        keep &= Q(income_limit__isnull=True) | Q(income_limit__gte=needs.income)
        met.append(Q(income_limit__isnull=False))
    return keep, met


def _open(now: datetime.datetime, time_zones: list[str]):
    """2 when open now, 1 when opening within two hours, on each service's own
    clock: one condition per time zone the directory uses."""
    whens = []
    for name in time_zones:
        try:
            local = now.astimezone(ZoneInfo(name))
        except (KeyError, ValueError):
            continue
        day, time = DAYS[local.weekday()], local.time().replace(tzinfo=None)
        here = Q(time_zone=name, opening_days__contains=day, opens_at__isnull=False)
        whens.append(
            When(here & Q(opens_at__lte=time) & Q(closes_at__gt=time), then=Value(2))
        )
        soon = (local + SOON).time()
        if soon > time:  # the two hours do not cross midnight
            whens.append(
                When(here & Q(opens_at__gt=time) & Q(opens_at__lte=soon), then=Value(1))
            )
    return Case(*whens, default=Value(0), output_field=IntegerField())


def ranked(needs: Needs, *, now: datetime.datetime | None = None, place=None):
    """The ranked queryset (unsliced), with the annotations reasons are read
    from; None when the screen signals no need the directory can meet."""
    need = _need_filter(needs)
    if need is None:
        return None
    now = now or timezone.now()
    services = (
        selectors.published_services()
        .filter(need)
        .annotate(
            area_list=Concat(
                Value(","), Replace("service_area", Value(" "), Value("")), Value(",")
            )
        )
    )
    keep, met = _eligible(needs)
    services = services.filter(keep)
    checked = sum(
        (Case(When(q, then=Value(1)), default=Value(0)) for q in met), Value(0)
    )
    language = Value(0)
    if needs.language:
        language = Case(
            When(languages__icontains=needs.language, then=Value(1)), default=Value(0)
        )
    free = Case(
        When(Q(fee_kind="free") | Q(fees__iexact="free"), then=Value(1)),
        default=Value(0),
    )
    time_zones = list(
        DirectoryService.objects.published()
        .order_by()
        .values_list("time_zone", flat=True)
        .distinct()
    )
    distance = Value(None, output_field=FloatField())
    if place is not None:
        lat0, lon0 = place
        cos = math.cos(math.radians(lat0))
        dlat = RADIUS_KM / KM_PER_DEGREE
        dlon = dlat / max(cos, 0.01)
        services = services.filter(
            Q(latitude__isnull=True)
            | Q(longitude__isnull=True)
            | Q(
                latitude__range=(lat0 - dlat, lat0 + dlat),
                longitude__range=(lon0 - dlon, lon0 + dlon),
            )
        )
        dx = (F("longitude") - Value(lon0)) * Value(cos)
        dy = F("latitude") - Value(lat0)
        distance = Sqrt(dx * dx + dy * dy) * Value(KM_PER_DEGREE)
    services = services.annotate(
        eligible_met=checked,
        speaks=language,
        open_state=_open(now, time_zones),
        free=free,
        distance_km=distance,
    )
    cost = Coalesce(F("distance_km"), Value(float(UNKNOWN_DISTANCE_KM)))
    score = (
        F("eligible_met") * Value(WEIGHTS["eligible"])
        + F("speaks") * Value(WEIGHTS["language"])
        + F("open_state") * Value(WEIGHTS["open"])
        + F("free") * Value(WEIGHTS["free"])
        - Case(
            When(
                distance_km__gt=MAX_DISTANCE_COST, then=Value(float(MAX_DISTANCE_COST))
            ),
            default=cost,
            output_field=FloatField(),
        )
    )
    return services.annotate(score=score).order_by(
        "-score", F("distance_km").asc(nulls_last=True), "name", "pk"
    )


def match(
    needs: Needs, *, now: datetime.datetime | None = None, limit: int = LIMIT
) -> list[Match]:
    """The best services for a screen's needs, each with why it was suggested.
    Three queries: where the ZIP code is, the time zones, the ranking."""
    place = place_of(needs.zip_code)
    services = ranked(needs, now=now, place=place)
    if services is None:
        return []
    now = now or timezone.now()
    return [
        Match(
            service=s,
            score=round(s.score, 1),
            reasons=reasons(s, needs, now=now),
            distance_km=None if s.distance_km is None else round(s.distance_km, 1),
        )
        for s in services[:limit]
    ]


def reasons(s: DirectoryService, needs: Needs, *, now: datetime.datetime) -> list[str]:
    """Why a service was suggested, in the person's words."""
    why = []
    if s.category in needs.categories:
        why.append(_("Helps with: %(need)s") % {"need": _(s.get_category_display())})
    else:
        why.append(_("Offers the kind of help you asked about"))
    if needs.age is not None and (s.min_age is not None or s.max_age is not None):
        why.append(
            _("Serves people aged %(low)s to %(high)s; you are %(age)s")
            % {"low": s.min_age or 0, "high": s.max_age or "any age", "age": needs.age}
        )
    if needs.zip_code and s.service_area:
        why.append(_("Serves your area (ZIP %(zip)s)") % {"zip": needs.zip_code})
    if needs.income is not None and s.income_limit is not None:
        why.append(
            _("Your household income is within its limit of $%(limit)s a year")
            % {"limit": f"{s.income_limit:,}"}
        )
    if s.distance_km is not None:
        why.append(
            _("About %(miles)s miles away")
            % {"miles": round(s.distance_km / KM_PER_MILE, 1)}
        )
    if s.speaks:
        why.append(_("Speaks %(language)s") % {"language": _(needs.language)})
    if s.open_state:
        if s.open_state == 2:
            why.append(
                _("Open now, until %(time)s")
                % {"time": date_format(s.closes_at, "TIME_FORMAT")}
            )
        else:
            why.append(
                _("Opens soon, at %(time)s")
                % {"time": date_format(s.opens_at, "TIME_FORMAT")}
            )
    if s.free:
        why.append(_("Free"))
    elif s.fee_kind == DirectoryService.FeeKind.SLIDING:
        why.append(_("Cost depends on income (sliding scale)"))
    return why
