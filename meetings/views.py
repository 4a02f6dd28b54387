"""Meeting screens in the workspace; every lookup goes through the partnership
access policy, every write through meetings.services."""

import datetime

from django.apps import apps
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from accountability.models import LearningEntry, Responsibility
from partnerships import permissions
from partnerships.views.base import breadcrumbs, section_context

from . import selectors, services
from .forms import ActionForm, AgendaItemForm, InviteeForm, MoveForm, SeriesForm
from .models import AgendaItem, Delivery, Meeting, MeetingSeries
from .templatetags.meeting_time import zone_label

User = get_user_model()


def get_series_for(user, pk, *, action="view") -> MeetingSeries:
    series = (
        MeetingSeries.objects.visible_to(user)
        .select_related("partnership", "organiser")
        .filter(pk=pk)
        .first()
    )
    if series is None:
        raise Http404("No such meeting series.")
    permissions.require(user, series.partnership, action)
    return series


def get_meeting_for(user, pk, *, action="view") -> Meeting:
    meeting = (
        Meeting.objects.filter(series__in=MeetingSeries.objects.visible_to(user), pk=pk)
        .select_related("series__partnership", "series__organiser")
        .first()
    )
    if meeting is None:
        raise Http404("No such meeting.")
    permissions.require(user, meeting.series.partnership, action)
    return meeting


def _context(request, partnership, **extra):
    context = section_context(request, partnership, "meetings")
    context["breadcrumbs_items"] = breadcrumbs(
        (partnership.get_absolute_url(), partnership.name),
        (reverse("meetings:index", args=[partnership.pk]), "Meetings"),
    )
    context.update(extra)
    return context


@require_safe
def series_index(request, pk):
    partnership = permissions.get_partnership_for(request.user, pk)
    all_series = list(
        partnership.meeting_series.prefetch_related("meetings").order_by("title")
    )
    now = timezone.now()
    upcoming = []
    for series in all_series:
        for occurrence in services.occurrences(
            series,
            start=now,
            end=now + datetime.timedelta(days=120),
            limit=6,
            meetings=list(series.meetings.all()),
        ):
            upcoming.append((occurrence, series))
    upcoming.sort(key=lambda pair: pair[0].start)
    context = _context(
        request, partnership, all_series=all_series, upcoming=upcoming[:12]
    )
    return render(request, "meetings/index.html", context)


def series_add(request, pk):
    partnership = permissions.get_partnership_for(request.user, pk, action="coordinate")
    form = SeriesForm(
        request.POST or None,
        partnership=partnership,
        initial={
            "timezone": partnership.timezone,
            "preset": "monthly_review",
            # Those who hold a role in the partnership are ticked to start with.
            "members": selectors.people_with_roles(partnership),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        invitees = [(u, u.email, u.get_full_name()) for u in data["members"]] + [
            (None, email, name) for email, name in data["external"]
        ]
        try:
            series = services.series_create(
                partnership=partnership,
                by=request.user,
                invitees=invitees,
                **_series_fields(data),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                "Series saved as a draft: nothing has been sent. The first meeting "
                f"is on {_first_meeting(series)}. Check the dates, then send the "
                "invitations.",
            )
            return HttpResponseRedirect(series.get_absolute_url())
    return _series_form_page(request, partnership, form, "New meeting series")


@require_safe
def series_detail(request, series_pk):
    series = get_series_for(request.user, series_pk)
    now = timezone.now()
    meetings = list(series.meetings.all())
    upcoming = services.occurrences(
        series,
        start=now,
        end=now + datetime.timedelta(days=400),
        limit=12,
        meetings=meetings,
    )
    past = sorted(
        (m for m in meetings if m.start < now), key=lambda m: m.start, reverse=True
    )[:12]
    coordinate = permissions.can_coordinate(request.user, series.partnership)
    context = _context(
        request,
        series.partnership,
        series=series,
        upcoming=upcoming,
        past=past,
        invitees=list(series.invitees.filter(removed_at__isnull=True)),
        invitee_form=InviteeForm(),
        failed=list(series.deliveries.filter(status=Delivery.Status.FAILED)[:20])
        if coordinate
        else [],
        proposals=list(series.events.filter(action="counter")[:10])
        if coordinate
        else [],
        page_title=series.title,
    )
    return render(request, "meetings/series.html", context)


def series_edit(request, series_pk):
    series = get_series_for(request.user, series_pk, action="coordinate")
    local = series.local_start
    form = SeriesForm(
        request.POST or None,
        partnership=series.partnership,
        include_invitees=False,
        initial={
            **{name: getattr(series, name) for name in SERIES_FIELDS},
            "preset": "custom",
            "start_date": local.date(),
            "start_time": local.time(),
            "timezone": series.timezone,
            **_rule_initial(series.rrule),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sent = services.series_update(
                series=series,
                by=request.user,
                notify=request.POST.get("notify") == "on",
                **_series_fields(data),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            series.refresh_from_db()
            saved = f"Series saved; the first meeting is on {_first_meeting(series)}."
            messages.success(
                request,
                f"{saved} {sent} update{'s' if sent != 1 else ''} sent."
                if series.published
                else saved,
            )
            return HttpResponseRedirect(series.get_absolute_url())
    return _series_form_page(
        request, series.partnership, form, f"Edit {series.title}", series=series
    )


# What the series form and the series share by name; the form's time zone is
# the service's `tz`, and the rule and first date are read by _rule_initial.
SERIES_FIELDS = (
    "title",
    "kind",
    "duration_minutes",
    "location",
    "video_url",
    "agenda_template",
)


def _series_fields(data: dict) -> dict:
    """The series form's answers as series_create / series_update arguments."""
    return {
        **{name: data[name] for name in SERIES_FIELDS},
        "rrule": data["rrule"],
        "start_local": data["start_local"],
        "tz": data["timezone"],
    }


def _first_meeting(series: MeetingSeries) -> str:
    """The first date the rule gives, which may be later than the date typed."""
    return f"{series.local_start:%A %-d %B %Y at %H:%M} ({zone_label(series.timezone)})"


def _series_form_page(request, partnership, form, title, **extra):
    return render(
        request,
        "meetings/series_form.html",
        _context(request, partnership, form=form, page_title=title, **extra),
    )


def _rule_initial(rule: str) -> dict:
    parts = dict(p.split("=", 1) for p in rule.split(";") if "=" in p)
    initial = {
        "frequency": parts.get("FREQ"),
        "interval": int(parts.get("INTERVAL", 1)),
    }
    byday = parts.get("BYDAY", "")
    if byday:
        initial["weekday"] = byday[-2:]
        if byday[:-2]:
            initial["nth"] = int(byday[:-2])
    if parts.get("BYMONTHDAY"):
        initial["month_day"] = int(parts["BYMONTHDAY"])
    if parts.get("COUNT"):
        initial["count"] = int(parts["COUNT"])
    if parts.get("UNTIL"):
        initial["until"] = datetime.datetime.strptime(
            parts["UNTIL"][:8], "%Y%m%d"
        ).date()
    return initial


@require_POST
def series_publish(request, series_pk):
    series = get_series_for(request.user, series_pk, action="coordinate")
    try:
        sent = services.series_publish(series=series, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Invitations sent to {sent} people.")
    return HttpResponseRedirect(series.get_absolute_url())


@require_POST
def series_cancel(request, series_pk):
    series = get_series_for(request.user, series_pk, action="coordinate")
    try:
        sent = services.series_cancel(
            series=series, by=request.user, notify=request.POST.get("notify") == "on"
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Series cancelled; {sent} cancellation{'s' if sent != 1 else ''} sent.",
        )
    return HttpResponseRedirect(series.get_absolute_url())


@require_POST
def invitee_add(request, series_pk):
    series = get_series_for(request.user, series_pk, action="coordinate")
    form = InviteeForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["addresses"]))
        return HttpResponseRedirect(series.get_absolute_url())
    users = {
        u.email.lower(): u
        for u in User.objects.filter(
            email__in=[e for e, _ in form.cleaned_data["addresses"]]
        )
    }
    added = 0
    for email, name in form.cleaned_data["addresses"]:
        try:
            services.invitee_add(
                series=series,
                by=request.user,
                email=email,
                name=name,
                user=users.get(email),
            )
            added += 1
        except ValidationError as error:
            messages.warning(request, " ".join(error.messages))
    if added:
        messages.success(request, f"{added} invitee{'s' if added != 1 else ''} added.")
    return HttpResponseRedirect(series.get_absolute_url())


@require_POST
def invitee_remove(request, series_pk, invitee_pk):
    series = get_series_for(request.user, series_pk, action="coordinate")
    invitee = get_object_or_404(series.invitees, pk=invitee_pk, removed_at__isnull=True)
    services.invitee_remove(invitee=invitee, by=request.user)
    messages.success(
        request, f"{invitee.email} removed; they were sent a cancellation."
    )
    return HttpResponseRedirect(series.get_absolute_url())


@require_safe
def occurrence_open(request, series_pk, key):
    series = get_series_for(request.user, series_pk)
    try:
        meeting = services.occurrence_for(series, key)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(series.get_absolute_url())
    return HttpResponseRedirect(meeting.get_absolute_url())


def _suggestions(meeting) -> list[tuple[str, str]]:
    """Agenda ideas from live data: overdue work, renewals, open proposals."""
    partnership = meeting.series.partnership
    today = timezone.localdate()
    ideas = [
        (f"Overdue: {r.title} ({r.owner.name})", f"responsibility:{r.pk}")
        for r in partnership.responsibilities.overdue(today).select_related("owner")[:5]
    ]
    MOU = apps.get_model("mou", "MOU")
    ideas += [
        (f"Renewal due: {m} ends {m.end_date:%d %b %Y}", "")
        for m in MOU.objects.filter(
            partnership=partnership,
            state="executed",
            end_date__gte=today,
            end_date__lte=today + datetime.timedelta(days=90),
        )[:3]
    ]
    # Indicators whose check-in is due (none in the last period of their
    # frequency), from the partnership's adopted logic model.
    Indicator = apps.get_model("logicmodels", "Indicator")
    CheckIn = apps.get_model("logicmodels", "CheckIn")
    recent = set(
        CheckIn.objects.filter(
            indicator__element__model__partnership=partnership,
            created_at__gte=timezone.now() - datetime.timedelta(days=31),
        ).values_list("indicator_id", flat=True)
    )
    ideas += [
        (f"Check-in due: {i.name}", "")
        for i in Indicator.objects.filter(
            element__model__partnership=partnership,
            element__model__state="adopted",
        ).exclude(pk__in=recent)[:5]
    ]
    ideas += [
        (f"Proposal: {e.title}", "")
        for e in partnership.learning_entries.filter(
            proposal_status=LearningEntry.ProposalStatus.OPEN
        )[:3]
    ]
    existing = {item.title for item in meeting.agenda.all()}
    return [(title, ref) for title, ref in ideas if title not in existing]


@require_safe
def meeting_detail(request, meeting_pk):
    meeting = get_meeting_for(request.user, meeting_pk)
    series = meeting.series
    partnership = series.partnership
    people = User.objects.filter(
        memberships__organisation__participations__partnership=partnership
    ).distinct()
    agenda = list(meeting.agenda.select_related("owner", "responsibility"))
    attendance = {a.invitee_id: a for a in meeting.attendance.all()}
    invitees = list(series.invitees.filter(removed_at__isnull=True))
    for invitee in invitees:
        invitee.attendance = attendance.get(invitee.pk)
    total = sum(item.minutes_allotted or 0 for item in agenda)
    coordinate = permissions.can_coordinate(request.user, partnership)
    context = _context(
        request,
        partnership,
        meeting=meeting,
        roster=services.roster(meeting),
        can_remind=coordinate
        and series.published
        and not series.cancelled_at
        and meeting.state == "scheduled"
        and meeting.start > timezone.now(),
        proposals=list(
            meeting.events.filter(action="counter").order_by("-created_at")[:10]
        )
        if coordinate
        else [],
        series=series,
        agenda=agenda,
        agenda_total=total,
        over_time=total > meeting.length_minutes,
        invitees=invitees,
        decisions=list(meeting.decisions.select_related("recorded_by")),
        actions=list(meeting.actions.select_related("owner")),
        suggestions=_suggestions(meeting) if meeting.state == "scheduled" else [],
        agenda_form=AgendaItemForm(people=people),
        action_form=ActionForm(partnership=partnership),
        move_form=MoveForm(
            initial={
                "date": timezone.localtime(meeting.start, series.zone).date(),
                "time": timezone.localtime(meeting.start, series.zone).time(),
            }
        ),
        page_title=str(meeting),
    )
    return render(request, "meetings/meeting.html", context)


@require_POST
def agenda_add(request, meeting_pk):
    meeting = get_meeting_for(request.user, meeting_pk, action="edit")
    partnership = meeting.series.partnership
    people = User.objects.filter(
        memberships__organisation__participations__partnership=partnership
    ).distinct()
    if request.POST.get("suggestion"):
        title, _, ref = request.POST["suggestion"].partition("|")
        responsibility = None
        if ref.startswith("responsibility:"):
            responsibility = Responsibility.objects.filter(
                partnership=partnership, pk=ref.split(":")[1]
            ).first()
        services.agenda_item_add(
            meeting=meeting,
            by=request.user,
            title=title[:300],
            responsibility=responsibility,
        )
        return HttpResponseRedirect(meeting.get_absolute_url() + "#agenda")
    form = AgendaItemForm(request.POST, people=people)
    if form.is_valid():
        services.agenda_item_add(meeting=meeting, by=request.user, **form.cleaned_data)
        meeting.refresh_from_db()
        total = sum(i.minutes_allotted or 0 for i in meeting.agenda.all())
        if total > meeting.length_minutes:
            messages.warning(
                request,
                f"The agenda now needs {total} minutes but the meeting lasts "
                f"{meeting.length_minutes}. Shorten items or move some to the next "
                "meeting.",
            )
    else:
        messages.error(request, " ".join(" ".join(e) for e in form.errors.values()))
    return HttpResponseRedirect(meeting.get_absolute_url() + "#agenda")


@require_POST
def agenda_move(request, meeting_pk, item_pk, direction):
    meeting = get_meeting_for(request.user, meeting_pk, action="edit")
    item = get_object_or_404(AgendaItem, pk=item_pk, meeting=meeting)
    services.agenda_item_move(item=item, by=request.user, up=direction == "up")
    return HttpResponseRedirect(meeting.get_absolute_url() + "#agenda")


@require_POST
def agenda_minutes(request, meeting_pk, item_pk):
    meeting = get_meeting_for(request.user, meeting_pk, action="edit")
    item = get_object_or_404(AgendaItem, pk=item_pk, meeting=meeting)
    services.minutes_record(
        item=item,
        by=request.user,
        minutes=request.POST.get("minutes", ""),
        done=request.POST.get("done") == "on",
    )
    return HttpResponseRedirect(meeting.get_absolute_url() + f"#item-{item.pk}")


@require_POST
def decision_add(request, meeting_pk):
    meeting = get_meeting_for(request.user, meeting_pk, action="edit")
    try:
        services.decision_record(
            meeting=meeting, by=request.user, text=request.POST.get("text", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return HttpResponseRedirect(meeting.get_absolute_url() + "#decisions")


@require_POST
def action_add(request, meeting_pk):
    meeting = get_meeting_for(request.user, meeting_pk, action="edit")
    form = ActionForm(request.POST, partnership=meeting.series.partnership)
    if form.is_valid():
        services.action_record(meeting=meeting, by=request.user, **form.cleaned_data)
        messages.success(
            request, "Action recorded and added to the responsibility tracker."
        )
    else:
        messages.error(request, " ".join(" ".join(e) for e in form.errors.values()))
    return HttpResponseRedirect(meeting.get_absolute_url() + "#actions")


@require_POST
def attendance_save(request, meeting_pk):
    meeting = get_meeting_for(request.user, meeting_pk, action="edit")
    present = {int(v) for v in request.POST.getlist("present") if v.isdigit()}
    services.attendance_mark(meeting=meeting, by=request.user, present=present)
    messages.success(request, "Attendance saved.")
    return HttpResponseRedirect(meeting.get_absolute_url() + "#attendance")


@require_POST
def meeting_remind(request, meeting_pk):
    meeting = get_meeting_for(request.user, meeting_pk, action="coordinate")
    try:
        asked = services.rsvp_remind(meeting=meeting, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Reminder sent to {asked} {'person' if asked == 1 else 'people'} "
            "who had not answered."
            if asked
            else "Everyone has answered; nobody was reminded.",
        )
    return HttpResponseRedirect(meeting.get_absolute_url() + "#roster")


@require_POST
def meeting_state(request, meeting_pk, action):
    needed = "coordinate" if action in ("cancel", "move") else "edit"
    meeting = get_meeting_for(request.user, meeting_pk, action=needed)
    try:
        if action == "hold":
            services.meeting_hold(meeting=meeting, by=request.user)
            messages.success(
                request, "Marked as held: record minutes, decisions and actions."
            )
        elif action == "close":
            services.meeting_close(
                meeting=meeting,
                by=request.user,
                summary=request.POST.get("summary", ""),
            )
            messages.success(request, "Minutes closed and sent to those who attended.")
        elif action == "cancel":
            services.meeting_cancel(
                meeting=meeting,
                by=request.user,
                notify=request.POST.get("notify") == "on",
            )
            messages.success(
                request, "Meeting cancelled; the rest of the series is unchanged."
            )
        elif action == "move":
            form = MoveForm(request.POST)
            if not form.is_valid():
                raise ValidationError([" ".join(e) for e in form.errors.values()])
            services.meeting_move(
                meeting=meeting,
                by=request.user,
                start_local=datetime.datetime.combine(
                    form.cleaned_data["date"], form.cleaned_data["time"]
                ),
                notify=form.cleaned_data["notify"],
            )
            messages.success(request, "Meeting moved.")
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return HttpResponseRedirect(meeting.get_absolute_url())
