"""Referral protocol, referrals, the receiving inbox and referral metrics."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from partnerships import charts, permissions, readable, spreadsheets
from partnerships.models import Organisation
from partnerships.views.base import breadcrumbs, form_page, paginate, section_context

from . import lifecycle, selectors, services
from . import metrics as metrics
from .forms import (
    FeedbackForm,
    MoveForm,
    ProtocolForm,
    ReferralForm,
    protocol_fields_text,
)
from .models import Referral


def _context(request, partnership, **extra):
    context = section_context(request, partnership, "referrals")
    context.update(extra)
    return context


def _with_details(user, referrals) -> list:
    """Mark each referral whose client details the user may read."""
    for referral in referrals:
        referral.details_shown = permissions.can_see_referral_details(user, referral)
    return referrals


@require_safe
def referral_index(request, pk):
    partnership = permissions.get_partnership_for(request.user, pk)
    protocol = selectors.protocol_of(partnership=partnership)
    status = request.GET.get("status", "")
    referrals = selectors.referral_list(
        user=request.user, partnership=partnership, status=status
    )
    mine = permissions.editing_organisations(request.user, partnership)
    page = paginate(request, referrals, 50)
    _with_details(request.user, page.object_list)
    context = _context(
        request,
        partnership,
        protocol=protocol,
        page_obj=page,
        statuses=Referral.Status.choices,
        status=status,
        waiting=selectors.referrals_waiting(user=request.user, partnership=partnership),
        can_refer=bool(
            protocol and mine and permissions.can_edit(request.user, partnership)
        ),
        now=timezone.now(),
    )
    return render(request, "referrals/index.html", context)


def protocol_edit(request, pk):
    partnership = permissions.get_partnership_for(request.user, pk, action="coordinate")
    protocol = selectors.protocol_of(partnership=partnership)
    initial = {}
    if protocol:
        initial = {
            "criteria": protocol.criteria,
            "steps": protocol.steps,
            "fields_text": protocol_fields_text(protocol.fields),
            "collect_demographics": protocol.collect_demographics,
            "consent_required": protocol.consent_required,
            "consent_text": protocol.consent_text,
            "acknowledge_days": protocol.acknowledge_days,
            "outcome_days": protocol.outcome_days,
            "contacts": protocol.contacts,
        }
    form = ProtocolForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["fields"] = data.pop("fields_text")
        try:
            services.protocol_save(partnership=partnership, by=request.user, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Referral protocol saved.")
            return HttpResponseRedirect(reverse("referrals:index", args=[pk]))
    return form_page(
        request,
        partnership,
        form,
        title="Referral protocol",
        intro="When and how partners refer, what travels with a referral, "
        "consent, and how quickly the sender hears back.",
        submit_label="Save protocol",
        cancel_url=reverse("referrals:index", args=[pk]),
    )


def referral_add(request, pk):
    partnership = permissions.get_partnership_for(request.user, pk, action="edit")
    protocol = selectors.protocol_of(partnership=partnership)
    if protocol is None:
        messages.error(request, "Agree a referral protocol first.")
        return HttpResponseRedirect(reverse("referrals:index", args=[pk]))
    mine = permissions.editing_organisations(request.user, partnership)
    parties = Organisation.objects.filter(participations__partnership=partnership)
    form = ReferralForm(
        request.POST or None,
        protocol=protocol,
        senders=parties.filter(pk__in=mine),
        receivers=parties.order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.referral_create(
                partnership=partnership,
                by=request.user,
                sender=data["sender"],
                receiver=data["receiver"],
                local_reference=data["local_reference"],
                initials=data["initials"],
                birth_year=data["birth_year"],
                details=form.details(),
                off_platform=data["off_platform"],
                consent={
                    "given": data.get("consent_given"),
                    "by": data.get("consent_by", ""),
                    "scope": data.get("consent_scope", ""),
                    "expires": data.get("consent_expires"),
                },
                demographics={
                    k: data.get(k, "")
                    for k in ("race_ethnicity", "language", "zip_code")
                },
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Referral sent to {referral.receiver.name}.")
            return HttpResponseRedirect(referral.get_absolute_url())
    return form_page(
        request,
        partnership,
        form,
        title="New referral",
        intro=protocol.criteria,
        submit_label="Send referral",
        cancel_url=reverse("referrals:index", args=[pk]),
    )


def _readable_details(referral, protocol) -> list[tuple[str, object]]:
    """The client details as the protocol names them ("Best time to call",
    "Urgent: No"), in the protocol's order, then anything recorded under an
    earlier version of it."""
    fields = {field["name"]: field for field in (protocol.fields if protocol else [])}
    details = dict(referral.details)
    rows = []
    for name, field in fields.items():
        if name in details:
            value = details.pop(name)
            if field["type"] == "yesno":
                value = bool(value)
            rows.append((field["label"], value))
    rows += [(readable.human_key(name), value) for name, value in details.items()]
    return rows


def _referral(request, pk, referral_pk):
    partnership = permissions.get_partnership_for(request.user, pk)
    referral = selectors.referral_get(
        user=request.user, partnership=partnership, pk=referral_pk
    )
    if referral is None:
        raise Http404("No such referral.")
    return partnership, referral


def referral_detail(request, pk, referral_pk):
    partnership, referral = _referral(request, pk, referral_pk)
    user = request.user
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "move":
                form = MoveForm(request.POST)
                if form.is_valid():
                    services.referral_move(
                        referral=referral, by=user, **form.cleaned_data
                    )
                    messages.success(request, "Status updated.")
                else:
                    messages.error(request, "Choose one of the statuses offered.")
            elif action == "feedback":
                form = FeedbackForm(request.POST)
                if form.is_valid():
                    services.referral_feedback(
                        referral=referral, by=user, **form.cleaned_data
                    )
                    messages.success(request, "Feedback sent: the loop is closed.")
                else:
                    messages.error(request, "Write the outcome for the sender.")
            elif action == "revoke":
                services.referral_consent_revoke(
                    referral=referral,
                    by=user,
                    reason=request.POST.get("reason", "")[:300],
                )
                messages.success(request, "Consent revoked; no more data is shared.")
            else:
                raise Http404
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(referral.get_absolute_url())
    details_shown = permissions.can_see_referral_details(user, referral)
    protocol = selectors.protocol_of(partnership=partnership)
    if details_shown:
        services.referral_viewed(referral=referral, by=user)
    context = _context(
        request,
        partnership,
        referral=referral,
        details_shown=details_shown,
        consent_stands=permissions.referral_consent_stands(referral),
        events=selectors.referral_history(referral=referral),
        moves=lifecycle.moves_for(user, referral),
        labels=dict(Referral.Status.choices),
        needs_reason=lifecycle.NEEDS_REASON,
        can_close_loop=permissions.can_close_referral_loop(user, referral)
        and referral.status in lifecycle.FEEDBACK_AFTER
        and not referral.loop_closed_at,
        can_revoke=permissions.can_revoke_referral_consent(user, referral)
        and referral.consent_given
        and not referral.consent_revoked_at,
        feedback_form=FeedbackForm(),
        protocol=protocol,
        details=_readable_details(referral, protocol) if details_shown else [],
        page_title=str(referral),
    )
    return render(request, "referrals/detail.html", context)


def _period(request) -> tuple[datetime.date, datetime.date, bool]:
    """The whole calendar months asked for (the last twelve by default), and
    whether the dates given had to be widened to whole months."""
    today = timezone.localdate()
    try:
        start = datetime.date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        start = (today.replace(day=1) - datetime.timedelta(days=335)).replace(day=1)
    try:
        end = datetime.date.fromisoformat(request.GET.get("until", ""))
    except ValueError:
        end = today
    widened = metrics.month_period(start, end)
    asked = bool(request.GET.get("from") or request.GET.get("until"))
    return *widened, asked and widened != (start, end)


@require_safe
def referral_metrics(request, pk):
    """Figures for the referrals the user's organisations sent or received, in
    whole months, suppressed as `referral_metrics` says."""
    partnership = permissions.get_partnership_for(request.user, pk)
    protocol = selectors.protocol_of(partnership=partnership)
    start, end, widened = _period(request)
    counted = selectors.referrals_counted(user=request.user, partnership=partnership)
    pairs = selectors.referral_pairs(counted=counted, partnership=partnership)
    referrals = counted.requested_between(start, end)
    pair = request.GET.get("pair", "")
    if pair and pair not in dict(pairs):
        messages.warning(
            request,
            "You see figures only for referrals your organisation sent or received: "
            "choose one of the pairs offered.",
        )
        pair = ""
    if pair:
        sender, receiver = pair.split("-", 1)
        referrals = referrals.filter(sender_id=sender, receiver_id=receiver)
    result = metrics.summary(
        referrals,
        acknowledge_days=protocol.acknowledge_days if protocol else 2,
        outcome_days=protocol.outcome_days if protocol else 30,
    )
    tables = []
    notes = []
    for key, label in metrics.BREAKDOWNS.items():
        if protocol and not protocol.collect_demographics and key != "age_band":
            continue
        cells, why = metrics.breakdown(referrals, key)
        tables.append((label, cells))
        notes.extend(why)
    rates = [
        ("Accepted", result.rate("accepted")),
        ("Completed", result.rate("completed")),
        ("Loop closed", result.rate("closed_loop")),
        ("Acknowledged in time", result.rate("acknowledged_in_time")),
        ("Outcome in time", result.rate("outcome_in_time")),
    ]
    if request.GET.get("format") == "csv":
        rows = [
            ["Summary", "Referrals made", str(result.made)],
            ["Summary", "Accepted", str(result.accepted)],
            ["Summary", "Rejected", str(result.rejected)],
            ["Summary", "Completed", str(result.completed)],
            ["Summary", "Loop closed", str(result.closed_loop)],
            ["Summary", "Mean satisfaction", str(result.satisfaction)],
            *[["Summary", f"{label} rate %", str(rate)] for label, rate in rates],
        ]
        for label, cells in tables:
            for row in cells:
                rows.append(
                    [
                        label,
                        row["group"],
                        str(row["made"]),
                        str(row["completed"]),
                        str(row["closed"]),
                        str(row["completion_rate"]),
                    ]
                )
        response = HttpResponse(
            spreadsheets.to_csv(
                ["Table", "Group", "Made", "Completed", "Loop closed", "Rate"], rows
            ),
            content_type=spreadsheets.CONTENT_TYPES["csv"],
        )
        response["Content-Disposition"] = 'attachment; filename="referral-metrics.csv"'
        return response
    context = _context(
        request,
        partnership,
        page_title="Referral metrics",
        result=result,
        rates=rates,
        chart=charts.bar_chart(
            "Referral rates (%)",
            [(label, rate.shown) for label, rate in rates],
            unit="%",
            max_value=100,
        ),
        tables=tables,
        notes=sorted(set(notes), key=notes.index),
        start=start,
        end=end,
        period_note=metrics.WHOLE_MONTHS.format(start=start, end=end)
        if widened
        else "",
        pairs=pairs,
        pair=pair,
    )
    return render(request, "referrals/metrics.html", context)


@require_safe
def referral_inbox(request):
    """Referrals waiting on the user's organisations, with SLA clocks."""
    referrals = selectors.inbox(user=request.user)
    page = paginate(request, referrals, 50)
    _with_details(request.user, page.object_list)
    selectors.with_acknowledgement_clock(page.object_list, now=timezone.now())
    return render(
        request,
        "referrals/inbox.html",
        {
            "page_obj": page,
            "not_updated": referrals.filter(status="requested").count(),
            "page_title": "Referral inbox",
            "breadcrumbs_items": breadcrumbs(),
        },
    )
