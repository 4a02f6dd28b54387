"""Health checks: rounds, answers and results."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from partnerships import charts, permissions
from partnerships.models import Organisation
from partnerships.views.base import form_page, section_context

from .. import health, services
from ..forms import HealthResponseForm, HealthRoundForm
from ..models import HealthCheckRound


@require_safe
def health_index(request, pk):
    partnership = permissions.get_partnership_for(request.user, pk)
    context = section_context(request, partnership, "health")
    rounds = list(partnership.health_rounds.all()[:20])
    labels, series = health.trend(partnership)
    context.update(
        rounds=rounds,
        latest=health.round_results(rounds[0]) if rounds else None,
        trend_chart=charts.line_chart(
            "Mean rating per practice across health-check rounds", labels, series
        )
        if len(labels) > 1
        else None,
        round_form=HealthRoundForm(
            initial={
                "title": f"Health check {timezone.localdate():%B %Y}",
                "closes_on": timezone.localdate() + datetime.timedelta(days=14),
            }
        ),
        min_respondents=health.MIN_RESPONDENTS,
    )
    return render(request, "accountability/health/index.html", context)


@require_POST
def health_round_open(request, pk):
    partnership = permissions.get_partnership_for(request.user, pk, action="coordinate")
    form = HealthRoundForm(request.POST)
    if form.is_valid():
        try:
            services.health_round_open(
                partnership=partnership, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, "Health check opened: partners can now answer it."
            )
    else:
        messages.error(
            request, " ".join(" ".join(errors) for errors in form.errors.values())
        )
    return HttpResponseRedirect(reverse("accountability:health", args=[partnership.pk]))


@require_safe
def health_round(request, pk, round_pk):
    partnership = permissions.get_partnership_for(request.user, pk)
    health_round = get_object_or_404(
        HealthCheckRound, pk=round_pk, partnership=partnership
    )
    health_round.partnership = partnership
    context = section_context(request, partnership, "health")
    results = health.round_results(health_round)
    context.update(
        health_round=health_round,
        results=results,
        chart=charts.bar_chart(
            f"Mean rating per practice, {health_round.title}",
            [(label, score.mean) for label, score in results.practices],
            max_value=5,
        ),
        answered=health_round.responses.filter(respondent=request.user).exists(),
        may_answer=bool(permissions.editing_organisations(request.user, partnership)),
        min_respondents=health.MIN_RESPONDENTS,
        page_title=health_round.title,
    )
    return render(request, "accountability/health/round.html", context)


def health_respond(request, pk, round_pk):
    partnership = permissions.get_partnership_for(request.user, pk, action="edit")
    health_round = get_object_or_404(
        HealthCheckRound, pk=round_pk, partnership=partnership
    )
    health_round.partnership = partnership
    own = permissions.editing_organisations(request.user, partnership)
    organisations = list(Organisation.objects.filter(pk__in=own).order_by("name"))
    others = (
        Organisation.objects.filter(participations__partnership=partnership)
        .exclude(pk__in=own)
        .order_by("name")
    )
    form = HealthResponseForm(
        request.POST or None, organisations=organisations, others=others
    )
    if not health_round.is_open:
        messages.error(request, "This health check is closed.")
        return HttpResponseRedirect(health_round.get_absolute_url())
    if request.method == "POST" and form.is_valid():
        organisation = form.cleaned_data.get("organisation") or form.organisation
        try:
            services.health_response_submit(
                health_round=health_round,
                by=request.user,
                organisation=organisation,
                ratings=form.ratings(),
                collaboration=form.collaboration(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        except PermissionDenied as error:
            raise error
        else:
            messages.success(request, "Thank you — your answers are recorded.")
            return HttpResponseRedirect(health_round.get_absolute_url())
    return form_page(
        request,
        partnership,
        form,
        title=health_round.title,
        intro=(
            "Rate how well the partnership lives each practice, from 1 "
            "(not at all) to 5 (fully). Scores are shown only as averages of at least "
            f"{health.MIN_RESPONDENTS} people."
        ),
        submit_label="Send my answers",
        cancel_url=health_round.get_absolute_url(),
    )


@require_POST
def health_round_close(request, pk, round_pk):
    partnership = permissions.get_partnership_for(request.user, pk, action="coordinate")
    health_round = get_object_or_404(
        HealthCheckRound, pk=round_pk, partnership=partnership, closed_at__isnull=True
    )
    health_round.partnership = partnership
    services.health_round_close(health_round=health_round, by=request.user)
    messages.success(request, "Health check closed.")
    return HttpResponseRedirect(health_round.get_absolute_url())
