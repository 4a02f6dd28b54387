"""Responsibilities and the learning log of a partnership."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe
from wagtail import hooks

from partnerships import permissions
from partnerships.models import Organisation
from partnerships.views.base import breadcrumbs, form_page, paginate, section_context

from .. import services
from ..forms import (
    BulkStatusForm,
    DecisionForm,
    LearningEntryForm,
    ReportForm,
    ResponsibilityForm,
)
from ..models import LearningEntry, Practice, Responsibility, ResponsibilityUpdate

STATUS_CLASSES = {
    Responsibility.Status.DONE: "w-status--primary",
    Responsibility.Status.BLOCKED: "w-status--label",
    Responsibility.Status.AT_RISK: "w-status--label",
}


def _filtered(request, responsibilities):
    """Apply the list filters from the query string; returns (queryset, filters)."""
    filters = {
        "q": request.GET.get("q", "").strip(),
        "owner": request.GET.get("owner", ""),
        "status": request.GET.get("status", ""),
        "source": request.GET.get("source", ""),
        "overdue": request.GET.get("overdue", "") == "1",
    }
    if filters["q"]:
        responsibilities = responsibilities.filter(
            Q(title__icontains=filters["q"]) | Q(details__icontains=filters["q"])
        )
    if filters["owner"].isdigit():
        responsibilities = responsibilities.filter(owner_id=int(filters["owner"]))
    if filters["status"] in Responsibility.Status.values:
        responsibilities = responsibilities.filter(status=filters["status"])
    if filters["source"] in Responsibility.Source.values:
        responsibilities = responsibilities.filter(source=filters["source"])
    if filters["overdue"]:
        responsibilities = responsibilities.overdue()
    return responsibilities, filters


def accountability_matrix(partnership) -> dict:
    """Organisations × status counts, with overdue beside them."""
    today = timezone.localdate()
    counts = (
        partnership.responsibilities.values("owner_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    overdue = dict(
        partnership.responsibilities.overdue(today)
        .values("owner_id")
        .annotate(n=Count("id"))
        .values_list("owner_id", "n")
    )
    by_org: dict[int, dict[str, int]] = {}
    for row in counts:
        by_org.setdefault(row["owner_id"], {})[row["status"]] = row["n"]
    organisations = Organisation.objects.filter(
        participations__partnership=partnership
    ).order_by("name")
    rows = []
    for organisation in organisations:
        cells = by_org.get(organisation.pk, {})
        rows.append(
            {
                "organisation": organisation,
                "cells": [
                    cells.get(value, 0) for value in Responsibility.Status.values
                ],
                "overdue": overdue.get(organisation.pk, 0),
                "total": sum(cells.values()),
            }
        )
    return {"statuses": Responsibility.Status.labels, "rows": rows}


@require_safe
def responsibility_index(request, pk):
    partnership = permissions.get_partnership_for(request.user, pk)
    context = section_context(request, partnership, "responsibilities")
    responsibilities, filters = _filtered(
        request,
        partnership.responsibilities.select_related("owner", "owner_person"),
    )
    page = paginate(request, responsibilities.order_by("due_date", "pk"), per_page=50)
    editable = permissions.editing_organisations(request.user, partnership)
    for responsibility in page.object_list:
        responsibility.partnership = partnership
    context.update(
        page_obj=page,
        filters=filters,
        matrix=accountability_matrix(partnership),
        organisations=Organisation.objects.filter(
            participations__partnership=partnership
        ).order_by("name"),
        statuses=Responsibility.Status.choices,
        sources=Responsibility.Source.choices,
        can_add=bool(editable),
        bulk_statuses=Responsibility.Status.choices,
        today=timezone.localdate(),
    )
    return render(request, "accountability/responsibilities/index.html", context)


def responsibility_add(request, pk):
    partnership = permissions.get_partnership_for(request.user, pk, action="edit")
    editable = permissions.editing_organisations(request.user, partnership)
    initial = {"owner": min(editable)} if editable else {}
    form = ResponsibilityForm(
        request.POST or None, partnership=partnership, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            responsibility = services.responsibility_create(
                partnership=partnership, by=request.user, **form.cleaned_data
            )
        except PermissionDenied as refusal:
            form.add_error("owner", str(refusal))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Responsibility added.")
            return HttpResponseRedirect(responsibility.get_absolute_url())
    return form_page(
        request,
        partnership,
        form,
        title="New responsibility",
        submit_label="Add responsibility",
        cancel_url=reverse("accountability:responsibilities", args=[pk]),
    )


def _responsibility(request, pk, responsibility_pk):
    partnership = permissions.get_partnership_for(request.user, pk)
    responsibility = get_object_or_404(
        Responsibility.objects.select_related("owner", "owner_person", "source_type"),
        pk=responsibility_pk,
        partnership=partnership,
    )
    responsibility.partnership = partnership
    return partnership, responsibility


def responsibility_detail(request, pk, responsibility_pk):
    partnership, responsibility = _responsibility(request, pk, responsibility_pk)
    may_change = permissions.can_change_responsibility(request.user, responsibility)
    form = ReportForm(request.POST or None, initial={"status": responsibility.status})
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.responsibility_report(
                    responsibility=responsibility,
                    by=request.user,
                    status=form.cleaned_data["status"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Update recorded.")
                return HttpResponseRedirect(responsibility.get_absolute_url())
    context = section_context(request, partnership, "responsibilities")
    context.update(
        responsibility=responsibility,
        updates=paginate(
            request,
            ResponsibilityUpdate.objects.filter(
                responsibility=responsibility
            ).select_related("author"),
            per_page=50,
        ),
        form=form,
        may_change=may_change,
        page_title=responsibility.title,
        breadcrumbs_items=breadcrumbs(
            (partnership.get_absolute_url(), partnership.name),
            (
                reverse("accountability:responsibilities", args=[partnership.pk]),
                "Responsibilities",
            ),
        ),
    )
    return render(request, "accountability/responsibilities/detail.html", context)


def responsibility_edit(request, pk, responsibility_pk):
    partnership, responsibility = _responsibility(request, pk, responsibility_pk)
    if not permissions.can_change_responsibility(request.user, responsibility):
        raise PermissionDenied
    form = ResponsibilityForm(
        request.POST or None, instance=responsibility, partnership=partnership
    )
    if not permissions.can_reassign_responsibility(request.user, responsibility):
        # Shown, not editable: the terms are the partnership's (or the MOU's).
        for name in services.responsibilities.TERMS:
            if name in form.fields:
                form.fields[name].disabled = True
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        responsibility.refresh_from_db()
        try:
            services.responsibility_edit(
                responsibility=responsibility, by=request.user, **data
            )
        except PermissionDenied as refusal:
            form.add_error(None, str(refusal))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Responsibility saved.")
            return HttpResponseRedirect(responsibility.get_absolute_url())
    return form_page(
        request,
        partnership,
        form,
        title=f"Edit “{responsibility.title}”",
        submit_label="Save",
        cancel_url=responsibility.get_absolute_url(),
    )


@require_POST
def responsibility_bulk(request, pk):
    partnership = permissions.get_partnership_for(request.user, pk, action="coordinate")
    form = BulkStatusForm(request.POST, partnership=partnership)
    if form.is_valid():
        changed = services.responsibilities_bulk_status(
            partnership=partnership,
            responsibilities=form.cleaned_data["responsibilities"],
            status=form.cleaned_data["status"],
            by=request.user,
        )
        messages.success(request, f"{changed} responsibilities changed.")
    else:
        messages.error(request, " ".join(" ".join(e) for e in form.errors.values()))
    return HttpResponseRedirect(
        reverse("accountability:responsibilities", args=[partnership.pk])
    )


@require_safe
def my_responsibilities(request):
    """Responsibilities of the user's organisations, across partnerships."""
    organisations = permissions.organisations_of(request.user)
    responsibilities, filters = _filtered(
        request,
        Responsibility.objects.filter(
            owner__in=organisations,
            partnership__in=permissions.visible_partnerships(request.user),
        ).select_related("owner", "owner_person", "partnership"),
    )
    if not filters["status"]:
        responsibilities = responsibilities.open()
    page = paginate(request, responsibilities.order_by("due_date", "pk"), per_page=50)
    return render(
        request,
        "accountability/responsibilities/mine.html",
        {
            "page_obj": page,
            "filters": filters,
            "statuses": Responsibility.Status.choices,
            "organisations": organisations,
            "page_title": "My organisation's responsibilities",
            "breadcrumbs_items": breadcrumbs(),
            "today": timezone.localdate(),
        },
    )


@require_safe
def learning_index(request, pk):
    partnership = permissions.get_partnership_for(request.user, pk)
    context = section_context(request, partnership, "learning")
    entries = partnership.learning_entries.select_related("author", "organisation")
    practice = request.GET.get("practice", "")
    kind = request.GET.get("kind", "")
    query = request.GET.get("q", "").strip()
    if practice in Practice.values:
        entries = entries.filter(practice=practice)
    if kind in LearningEntry.Kind.values:
        entries = entries.filter(kind=kind)
    if request.GET.get("proposals") == "open":
        entries = entries.filter(proposal_status=LearningEntry.ProposalStatus.OPEN)
    if query:
        entries = entries.filter(
            Q(title__icontains=query)
            | Q(what_happened__icontains=query)
            | Q(what_we_learned__icontains=query)
        )
    context.update(
        page_obj=paginate(request, entries.order_by("-happened_on", "-pk")),
        practices=Practice.choices,
        kinds=LearningEntry.Kind.choices,
        filters={"practice": practice, "kind": kind, "q": query},
    )
    return render(request, "accountability/learning/index.html", context)


def learning_add(request, pk):
    partnership = permissions.get_partnership_for(request.user, pk, action="edit")
    form = LearningEntryForm(request.POST or None, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        linked = data.pop("responsibilities")
        try:
            entry = services.learning_entry_create(
                partnership=partnership,
                by=request.user,
                responsibilities=linked,
                **data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Added to the learning log.")
            return HttpResponseRedirect(entry.get_absolute_url())
    return form_page(
        request,
        partnership,
        form,
        title="New learning-log entry",
        intro=(
            "What happened, what you learned, and what you will do "
            "differently. If something in the MOU or the logic model should change, "
            "propose it here; the coordinator accepts or declines."
        ),
        submit_label="Add entry",
        cancel_url=reverse("accountability:learning", args=[pk]),
    )


@require_safe
def learning_entry(request, pk, entry_pk):
    partnership = permissions.get_partnership_for(request.user, pk)
    entry = get_object_or_404(
        LearningEntry.objects.select_related("author", "organisation", "decided_by"),
        pk=entry_pk,
        partnership=partnership,
    )
    context = section_context(request, partnership, "learning")
    context.update(
        entry=entry,
        linked=entry.responsibilities.all(),
        decision_form=DecisionForm(),
        proposal_actions=_proposal_actions(entry, context["can_coordinate"]),
        page_title=entry.title,
    )
    return render(request, "accountability/learning/detail.html", context)


def _proposal_actions(entry, can_coordinate: bool) -> list[tuple[str, str]]:
    """(label, URL to POST) for acting on an open proposal in the app it is
    about; each app offers its own through the `learning_proposal_action`
    hook, returning None for proposals that are not its kind."""
    if not can_coordinate or entry.proposal_status != entry.ProposalStatus.OPEN:
        return []
    found = (hook(entry) for hook in hooks.get_hooks("learning_proposal_action"))
    return [action for action in found if action]


@require_POST
def learning_decide(request, pk, entry_pk):
    partnership = permissions.get_partnership_for(request.user, pk, action="coordinate")
    entry = get_object_or_404(LearningEntry, pk=entry_pk, partnership=partnership)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose accept or decline.")
    else:
        try:
            services.learning_proposal_decide(
                entry=entry,
                by=request.user,
                accept=form.cleaned_data["decision"] == "accept",
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Decision recorded.")
    return HttpResponseRedirect(entry.get_absolute_url())
