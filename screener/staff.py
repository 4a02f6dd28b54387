"""The screener in the workspace: staff take a screen with a client at the
front desk and turn it into a referral in one step; leadership viewers and
coordinators read the community-needs picture. Every check asks the access
policy (partnerships.permissions) or the referral services."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from partnerships import permissions, spreadsheets
from partnerships.models import Organisation
from referrals import selectors as referral_selectors

from . import matching, picture, screens, services
from .questionnaire import AnswersInvalid, read
from .views import questions_for_display


def _breadcrumbs():
    return [{"url": reverse("wagtailadmin_home"), "label": "Home"}]


def _require_staff(user):
    """Members who act for an organisation (not leadership viewers) and hub staff."""
    if not (user.is_staff or permissions.editing_org_ids_of(user)):
        raise PermissionDenied


def assist(request):
    """The questionnaire with a client: the same questions, answered together."""
    _require_staff(request.user)
    version = screens.current_version()
    answers, problems = {}, {}
    if request.method == "POST" and version is not None:
        raw = screens.answers_from(request.POST, version)
        try:
            answers = read(version.content, raw)
        except AnswersInvalid as invalid:
            answers, problems = raw, invalid.problems
        else:
            services.screen_count(needs=screens.needs_of(version.content, answers))
            token = screens.token_for(version, answers)
            return HttpResponseRedirect(f"{reverse('screening:results')}?r={token}")
    content = version.content if version else {"questions": []}
    return TemplateResponse(
        request,
        "screener/staff_assist.html",
        {
            "page_title": "Screen with a client",
            "breadcrumbs_items": _breadcrumbs(),
            "version": version,
            "questions": questions_for_display(content, answers),
            "problems": problems,
        },
        status=400 if problems else 200,
    )


def refer_options(user, matches) -> list[dict]:
    """Where the user may refer from these matches: an organisation of a matched
    service that is a partner, beside one of the user's, in a partnership with
    a referral protocol the user may act in."""
    acting = permissions.editing_org_ids_of(user)
    matched = {m.service.organisation_id for m in matches}
    options, seen = [], set()
    partnerships = (
        permissions.visible_partnerships(user)
        .filter(referral_protocol__isnull=False)
        .prefetch_related("participations")
        .order_by("name", "pk")
    )
    for partnership in partnerships:
        parties = {p.organisation_id for p in partnership.participations.all()}
        if not (parties & acting) or not permissions.can_edit(user, partnership):
            continue
        for organisation_id in sorted((matched & parties) - acting):
            if (partnership.pk, organisation_id) in seen:
                continue
            seen.add((partnership.pk, organisation_id))
            options.append(
                {
                    "partnership": partnership.name,
                    "organisation_id": organisation_id,
                    "partnership_id": partnership.pk,
                }
            )
    return options


def _screen_or_404(request):
    token = request.GET.get("r") or request.POST.get("r", "")
    screen = screens.from_token(token)
    if screen is None:
        raise Http404("This screen has expired; take it again.")
    return token, screen


def results(request):
    """The matches, with a referral link for each partner the user works with."""
    _require_staff(request.user)
    token, (_version, _answers, needs) = _screen_or_404(request)
    matches = matching.match(needs)
    refer_base = reverse("screening:refer")
    links = [
        {
            **option,
            "url": f"{refer_base}?r={token}&partnership={option['partnership_id']}"
            f"&receiver={option['organisation_id']}",
        }
        for option in refer_options(request.user, matches)
    ]
    return TemplateResponse(
        request,
        "screener/staff_results.html",
        {
            "page_title": "Services for this client",
            "breadcrumbs_items": _breadcrumbs(),
            "matches": matches,
            "needs": needs,
            "refer_links": links,
        },
    )


def _prefill(field: dict, needs) -> str:
    """A protocol field's value from the screen: a choice naming a need."""
    if field.get("type") != "choice":
        return ""
    wanted = [*needs.domains, *(str(label).lower() for label in needs.domain_labels())]
    for choice in field.get("choices") or []:
        if any(w and (w in choice.lower() or choice.lower() in w) for w in wanted):
            return choice
    return ""


def refer(request):
    """One step from a screen to a referral under the partnership's protocol:
    its fields (prefilled from the screen where they ask for the need), consent
    as it requires, and the referral services' rules."""
    _require_staff(request.user)
    token, (_version, answers, needs) = _screen_or_404(request)
    data = request.POST if request.method == "POST" else request.GET
    partnership = permissions.get_partnership_for(
        request.user, data.get("partnership"), action="edit"
    )
    protocol = referral_selectors.protocol_of(partnership=partnership)
    if protocol is None:
        raise Http404("This partnership has no referral protocol yet.")
    parties = set(partnership.participations.values_list("organisation_id", flat=True))
    acting = permissions.editing_organisations(request.user, partnership)
    try:
        receiver = Organisation.objects.get(pk=int(data.get("receiver", "")))
    except (ValueError, Organisation.DoesNotExist):
        raise Http404("No such partner.") from None
    if receiver.pk not in parties or not acting:
        raise Http404("No such partner.")
    sender = Organisation.objects.get(pk=min(acting))
    fields = [
        {
            **field,
            "value": data.get(f"f_{field['name']}", _prefill(field, needs))
            if request.method == "POST"
            else _prefill(field, needs),
        }
        for field in protocol.fields
    ]
    problem = ""
    if request.method == "POST":
        details = {f["name"]: request.POST.get(f"f_{f['name']}", "") for f in fields}
        try:
            birth_year = int(request.POST.get("birth_year", ""))
            if not 1900 <= birth_year <= timezone.localdate().year:
                raise ValueError
        except ValueError:
            problem = "Give the client's year of birth, such as 1984."
        else:
            demographics = {"zip_code": needs.zip_code, "language": needs.language}
            try:
                referral = services.screen_refer(
                    partnership=partnership,
                    by=request.user,
                    sender=sender,
                    receiver=receiver,
                    details=details,
                    local_reference=request.POST.get("local_reference", "")[:50],
                    initials=request.POST.get("initials", "")[:5],
                    birth_year=birth_year,
                    consent={
                        "given": request.POST.get("consent_given") == "yes",
                        "by": request.POST.get("consent_by", "").strip()[:200],
                        "scope": protocol.consent_text[:500],
                    },
                    demographics=demographics,
                )
            except ValidationError as invalid:
                problem = " ".join(invalid.messages)
            else:
                messages.success(request, f"Referral sent to {receiver.name}.")
                return HttpResponseRedirect(referral.get_absolute_url())
    this_year = timezone.localdate().year
    return TemplateResponse(
        request,
        "screener/staff_refer.html",
        {
            "page_title": f"Refer to {receiver.name}",
            "breadcrumbs_items": _breadcrumbs(),
            "token": token,
            "partnership": partnership,
            "protocol": protocol,
            "sender": sender,
            "receiver": receiver,
            "fields": fields,
            "needs": needs,
            "problem": problem,
            "post": request.POST,
            "birth_year": request.POST.get("birth_year")
            or (this_year - needs.age if needs.age is not None else ""),
            "consent_text": protocol.consent_text.replace(
                "{sender}", sender.name
            ).replace("{receiver}", receiver.name),
        },
        status=400 if problem else 200,
    )


def _period(request) -> tuple[list[datetime.date], list[str], str]:
    """Whole months and ZIP-3 areas from the query; a clear message and the
    default (the last twelve months, every area) when they cannot be read."""
    today = timezone.localdate()
    default_start = (today.replace(day=1) - datetime.timedelta(days=335)).replace(day=1)
    problem = ""
    try:
        start = datetime.date.fromisoformat(
            (request.GET.get("from") or default_start.strftime("%Y-%m")) + "-01"
        )
        end = datetime.date.fromisoformat(
            (request.GET.get("until") or today.strftime("%Y-%m")) + "-01"
        )
    except ValueError:
        start, end = default_start, today
        problem = "Months are written YYYY-MM, such as 2026-01."
    raw_areas = [
        a.strip() for a in request.GET.get("areas", "").split(",") if a.strip()
    ]
    areas = [a for a in raw_areas if a.isdigit() and len(a) == 3]
    if len(areas) != len(raw_areas):
        areas, problem = [], "Areas are the first three digits of ZIP codes, like 011."
    months = picture.months_between(start, end)[-36:]
    return months, areas, problem


@require_GET
def needs_picture(request, fmt: str = ""):
    """Needs signalled, services available and referrals made, suppressed."""
    if not picture.may_see(request.user):
        raise PermissionDenied
    months, areas, problem = _period(request)
    version = screens.current_version()
    data = picture.picture(
        user=request.user,
        months=months,
        areas=areas,
        version_content=version.content if version else None,
    )
    if fmt:
        if fmt not in spreadsheets.CONTENT_TYPES:
            raise Http404
        headers, rows = picture.table(data)
        response = HttpResponse(
            spreadsheets.render(fmt, "Community needs", headers, rows),
            content_type=spreadsheets.CONTENT_TYPES[fmt],
        )
        response["Content-Disposition"] = f'attachment; filename="needs.{fmt}"'
        return response
    return TemplateResponse(
        request,
        "screener/staff_picture.html",
        {
            "page_title": "Community needs",
            "breadcrumbs_items": _breadcrumbs(),
            "data": data,
            "months": months,
            "areas": ",".join(areas),
            "problem": problem,
            "query": request.GET.urlencode(),
        },
        status=400 if problem else 200,
    )
