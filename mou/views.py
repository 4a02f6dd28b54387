"""MOU screens in the workspace. Every lookup goes through the partnership
access policy; every write through mou.services."""

import difflib

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe
from wagtail.models import Revision

from partnerships import permissions
from partnerships.http import client_address
from partnerships.models import Organisation
from partnerships.views.base import breadcrumbs, paginate, section_context

from . import documents, seal, services
from .forms import (
    ClauseFormSet,
    CommentForm,
    CreateForm,
    SectionForm,
    SignForm,
    TerminateForm,
)
from .models import (
    MOU,
    Clause,
    Comment,
    DocumentTemplate,
    MOUTemplate,
    Section,
    SectionKind,
)

# Threads on a clause nobody has resolved yet.
OPEN_THREADS = Count(
    "comments",
    filter=Q(comments__parent__isnull=True, comments__resolved_at__isnull=True),
)


def get_mou_for(user, pk, *, action="view") -> MOU:
    """Unknown and invisible MOUs look alike (404); visible but not permitted is
    refused (403)."""
    mou = (
        MOU.objects.visible_to(user)
        .select_related("partnership", "latest_revision__user", "previous")
        .filter(pk=pk)
        .first()
    )
    if mou is None:
        raise Http404("No such MOU.")
    permissions.require(user, mou.partnership, action)
    return mou


def _context(request, mou, **extra):
    context = section_context(request, mou.partnership, "mou")
    context.update(
        mou=mou,
        page_title=str(mou),
        breadcrumbs_items=breadcrumbs(
            (mou.partnership.get_absolute_url(), mou.partnership.name),
            (reverse("mou:index", args=[mou.partnership_id]), "MOU"),
        ),
    )
    context.update(extra)
    return context


def _checklist(mou, sections) -> list[tuple[str, str]]:
    """What is missing before signing can open, each with the page where it is
    fixed: the section to write, or the partner's role to assign (prefilled)."""
    items = mou.signing_checklist()
    if not items:
        return []
    by_kind = {section.kind: section for section in sections}
    participations = dict(
        mou.partnership.participations.values_list("organisation_id", "pk")
    )
    linked = []
    for item in items:
        if item.role and item.organisation.pk in participations:
            url = reverse(
                "partnerships:role_assign",
                args=[mou.partnership_id, participations[item.organisation.pk]],
            )
            url += f"?role={item.role}"
        elif item.section_kind in by_kind:
            url = reverse(
                "mou:section_edit", args=[mou.pk, by_kind[item.section_kind].pk]
            )
        elif item.section_kind:
            url = reverse("mou:section_add", args=[mou.pk])
            url += f"?kind={item.section_kind}"
        else:
            url = ""
        linked.append((str(item), url))
    return linked


@require_safe
def mou_index(request, pk):
    partnership = permissions.get_partnership_for(request.user, pk)
    context = section_context(request, partnership, "mou")
    context.update(
        mous=list(
            partnership.mous.annotate(
                signed=Count(
                    "signatures",
                    filter=Q(signatures__voided_at__isnull=True),
                )
            ).order_by("-version")
        ),
        create_form=CreateForm(),
        has_templates=MOUTemplate.objects.exists(),
    )
    return render(request, "mou/index.html", context)


@require_POST
def mou_create(request, pk):
    partnership = permissions.get_partnership_for(request.user, pk, action="coordinate")
    form = CreateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a template to start from.")
        return HttpResponseRedirect(reverse("mou:index", args=[pk]))
    try:
        mou = services.mou_create_from_template(
            partnership=partnership,
            template=form.cleaned_data["template"],
            title=form.cleaned_data["title"],
            by=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(reverse("mou:index", args=[pk]))
    messages.success(
        request, "MOU started from the template. Edit its sections with your partners."
    )
    return HttpResponseRedirect(mou.get_absolute_url())


@require_safe
def mou_detail(request, mou_pk):
    mou = get_mou_for(request.user, mou_pk)
    # Counts only: a clause's thread loads when someone opens it
    # (comment_views), so the page costs the same with 10 comments or 1,000.
    sections = list(
        mou.sections.prefetch_related(
            Prefetch(
                "clauses",
                queryset=Clause.objects.select_related("responsible").annotate(
                    comment_count=Count("comments"), open_count=OPEN_THREADS
                ),
            )
        )
    )
    general = Comment.objects.filter(mou=mou, clause__isnull=True).aggregate(
        comment_count=Count("pk"),
        open_count=Count("pk", filter=Q(parent__isnull=True, resolved_at__isnull=True)),
    )
    signable = [
        organisation
        for organisation in mou.parties()
        if permissions.can_sign(request.user, mou.partnership, organisation)
    ]
    signatures = {
        s.organisation_id: s
        for s in mou.current_signatures().select_related("organisation", "signer")
    }
    parties = list(mou.parties())
    for party in parties:
        party.signature = signatures.get(party.pk)
    can_edit = permissions.can_edit(request.user, mou.partnership)
    context = _context(
        request,
        mou,
        mou_sections=sections,
        general_comments=general,
        parties=parties,
        signable=[o for o in signable if o.pk not in signatures],
        checklist=_checklist(mou, sections) if mou.is_editable else [],
        hash_ok=mou.signatures_match() if mou.frozen_hash else True,
        can_edit_text=can_edit and mou.is_editable,
        can_comment=can_edit,
        comment_form=CommentForm(),
        comment_url=reverse("mou:comment_add", args=[mou.pk]),
        thread_url=reverse("mou:clause_thread", args=[mou.pk, 0]),
        terminate_form=TerminateForm(),
        pdf_available=bool(documents.soffice()),
    )
    return render(request, "mou/detail.html", context)


def section_edit(request, mou_pk, section_pk=None):
    mou = get_mou_for(request.user, mou_pk, action="edit")
    section = get_object_or_404(Section, pk=section_pk, mou=mou) if section_pk else None
    parties = Organisation.objects.filter(
        participations__partnership_id=mou.partnership_id
    ).order_by("name")
    if not mou.is_editable:
        messages.error(
            request,
            f"This MOU is {mou.get_state_display().lower()}, so its text cannot "
            "change.",
        )
        return HttpResponseRedirect(mou.get_absolute_url())
    if request.method == "POST":
        form = SectionForm(request.POST)
        formset = ClauseFormSet(request.POST, prefix="clauses", parties=parties)
        if form.is_valid() and formset.is_valid():
            try:
                saved = services.mou_section_save(
                    mou=mou,
                    section=section,
                    by=request.user,
                    base_revision_id=form.cleaned_data["base_revision"],
                    heading=form.cleaned_data["heading"],
                    kind=form.cleaned_data["kind"],
                    clauses=formset.clauses(),
                )
            except services.StaleEdit as stale:
                form.add_error(None, stale.messages[0])
                for change in stale.changes:
                    form.add_error(None, change)
                mou.refresh_from_db()
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"“{saved.heading}” saved.")
                return HttpResponseRedirect(
                    mou.get_absolute_url() + f"#section-{saved.pk}"
                )
    else:
        initial = {"base_revision": mou.latest_revision_id}
        clauses = []
        if section is None and request.GET.get("kind") in SectionKind.values:
            # From the checklist: "Add the Data sharing section".
            kind = SectionKind(request.GET["kind"])
            initial.update(heading=kind.label, kind=kind)
        if section:
            initial.update(heading=section.heading, kind=section.kind)
            clauses = [
                {
                    "id": c.pk,
                    "text": c.text,
                    "responsible": c.responsible_id,
                    "due_date": c.due_date,
                    "cadence": c.cadence,
                }
                for c in section.clauses.all()
            ]
        form = SectionForm(initial=initial)
        formset = ClauseFormSet(initial=clauses, prefix="clauses", parties=parties)
    return render(
        request,
        "mou/section_form.html",
        _context(
            request,
            mou,
            form=form,
            formset=formset,
            section=section,
            page_title=f"Edit “{section.heading}”" if section else "New section",
        ),
    )


@require_POST
def section_remove(request, mou_pk, section_pk):
    mou = get_mou_for(request.user, mou_pk, action="edit")
    section = get_object_or_404(Section, pk=section_pk, mou=mou)
    try:
        services.mou_section_remove(
            mou=mou,
            section=section,
            by=request.user,
            base_revision_id=request.POST.get("base_revision"),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Section “{section.heading}” removed.")
    return HttpResponseRedirect(mou.get_absolute_url())


@require_POST
def section_move(request, mou_pk, section_pk, direction):
    mou = get_mou_for(request.user, mou_pk, action="edit")
    section = get_object_or_404(Section, pk=section_pk, mou=mou)
    try:
        services.mou_section_move(
            mou=mou, section=section, by=request.user, up=direction == "up"
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return HttpResponseRedirect(mou.get_absolute_url() + f"#section-{section.pk}")


TRANSITIONS = {
    "submit": ("edit", services.mou_submit_for_review, "Submitted for review."),
    "request-changes": ("edit", services.mou_request_changes, "Back to draft."),
    "open-signing": (
        "coordinate",
        services.mou_open_signing,
        "Signing is open; signatories have been told.",
    ),
    "withdraw": (
        "coordinate",
        services.mou_withdraw,
        "Withdrawn from signing; the signatures of this round are void.",
    ),
}


@require_POST
def mou_transition(request, mou_pk, action):
    if action not in TRANSITIONS:
        raise Http404
    needed, service, done = TRANSITIONS[action]
    mou = get_mou_for(request.user, mou_pk, action=needed)
    try:
        service(mou=mou, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return HttpResponseRedirect(mou.get_absolute_url())


@require_POST
def mou_refresh_referrals(request, mou_pk):
    mou = get_mou_for(request.user, mou_pk, action="edit")
    try:
        services.mou_refresh_referrals(mou=mou, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Referral methods now follow the current protocol.")
    return HttpResponseRedirect(mou.get_absolute_url())


@require_POST
def mou_amend(request, mou_pk):
    mou = get_mou_for(request.user, mou_pk, action="coordinate")
    try:
        amendment = services.mou_amend(mou=mou, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(mou.get_absolute_url())
    messages.success(
        request,
        f"Amendment started as version {amendment.version}, prefilled with the "
        "executed text. The current agreement stays in force until it is signed.",
    )
    return HttpResponseRedirect(amendment.get_absolute_url())


@require_POST
def mou_terminate(request, mou_pk):
    mou = get_mou_for(request.user, mou_pk, action="coordinate")
    form = TerminateForm(request.POST)
    if form.is_valid():
        try:
            services.mou_terminate(mou=mou, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "The agreement is terminated.")
    else:
        messages.error(
            request, " ".join(" ".join(errors) for errors in form.errors.values())
        )
    return HttpResponseRedirect(mou.get_absolute_url())


def mou_sign(request, mou_pk):
    mou = get_mou_for(request.user, mou_pk, action="edit")
    organisations = Organisation.objects.filter(
        pk__in=[
            o.pk
            for o in mou.parties()
            if permissions.can_sign(request.user, mou.partnership, o)
        ]
    )
    if not organisations.exists():
        raise PermissionDenied
    initial = {
        "full_name": request.user.get_full_name(),
        "fingerprint": mou.frozen_hash,
    }
    form = SignForm(request.POST or None, organisations=organisations, initial=initial)
    refusal: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.mou_sign(
                mou=mou,
                by=request.user,
                organisation=data["organisation"],
                full_name=data["full_name"],
                title=data["title"],
                fingerprint=data["fingerprint"],
                ip_address=client_address(request) or None,
            )
        except services.TextChanged as changed:
            # Show what changed and offer the current text, unconfirmed: the
            # signer reads it and signs again knowingly, or does not.
            refusal = changed.messages
            mou.refresh_from_db()
            form = SignForm(
                organisations=organisations,
                initial={
                    "organisation": data["organisation"],
                    "full_name": data["full_name"],
                    "title": data["title"],
                    "fingerprint": changed.fingerprint,
                },
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            mou.refresh_from_db()
            messages.success(
                request,
                "Signed. Every partner has signed: the MOU is executed."
                if mou.state == MOU.State.EXECUTED
                else f"Signed for {data['organisation'].name}.",
            )
            return HttpResponseRedirect(mou.get_absolute_url())
    return render(
        request,
        "mou/sign.html",
        _context(request, mou, form=form, refusal=refusal, page_title=f"Sign: {mou}"),
    )


@require_safe
def mou_history(request, mou_pk):
    mou = get_mou_for(request.user, mou_pk)
    revisions = (
        Revision.objects.for_instance(mou)
        .select_related("user")
        .order_by("-created_at", "-pk")
    )
    context = _context(
        request,
        mou,
        events=paginate(
            request,
            mou.events.select_related("user").order_by("-created_at", "-pk"),
            50,
        ),
        revisions=list(revisions[:100]),
    )
    return render(request, "mou/history.html", context)


def _revision_text(content: dict) -> list[str]:
    lines = []
    for number, section in enumerate(content.get("sections", []), start=1):
        lines.append(f"{number}. {section['heading']}")
        for index, clause in enumerate(section["clauses"], start=1):
            suffix = (
                f" [{clause['responsible']}, {clause['due_date'] or 'no date'}]"
                if clause["responsible"]
                else ""
            )
            lines.append(f"  {number}.{index} {clause['text']}{suffix}")
    return lines


@require_safe
def mou_compare(request, mou_pk):
    mou = get_mou_for(request.user, mou_pk)
    revisions = Revision.objects.for_instance(mou)
    try:
        a = revisions.get(pk=int(request.GET.get("a", "")))
        b = revisions.get(pk=int(request.GET.get("b", "")))
    except (ValueError, Revision.DoesNotExist):
        messages.error(request, "Choose two revisions of this MOU to compare.")
        return HttpResponseRedirect(reverse("mou:history", args=[mou.pk]))
    if a.created_at > b.created_at:
        a, b = b, a
    old, new = a.content.get("content", {}), b.content.get("content", {})
    diff = list(
        difflib.unified_diff(_revision_text(old), _revision_text(new), lineterm="", n=2)
    )[2:]
    context = _context(
        request,
        mou,
        a=a,
        b=b,
        summary=services.describe_changes(old, new),
        diff=diff,
        page_title=f"Compare revisions of {mou}",
    )
    return render(request, "mou/compare.html", context)


@require_safe
def mou_export(request, mou_pk, fmt):
    if fmt not in ("docx", "pdf"):
        raise Http404
    mou = get_mou_for(request.user, mou_pk)
    template = DocumentTemplate.active()
    try:
        layout = template.file if template else None
        if fmt == "pdf":
            body = documents.render_pdf(mou, layout)
        else:
            body = documents.render_docx(mou, layout)
    except (
        documents.LayoutRefused,
        documents.TextIncomplete,
        documents.PDFUnavailable,
        seal.SealUnavailable,
    ) as problem:
        messages.error(request, str(problem))
        return HttpResponseRedirect(mou.get_absolute_url())
    filename = f"{mou.partnership.name} MOU v{mou.version}"
    return _attachment(body, filename, fmt)


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _attachment(body: bytes, filename: str, fmt: str) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    filename = filename.replace('"', "")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@require_safe
def mou_certificate(request, mou_pk):
    """The certificate of completion on its own, for an MOU that was executed."""
    mou = get_mou_for(request.user, mou_pk)
    if mou.executed_at is None:
        raise Http404("Only an executed MOU has a certificate of completion.")
    try:
        body = documents.certificate_pdf(mou)
    except documents.PDFUnavailable as problem:
        messages.error(request, str(problem))
        return HttpResponseRedirect(mou.get_absolute_url())
    filename = f"{mou.partnership.name} MOU v{mou.version} certificate"
    return _attachment(body, filename, "pdf")


@require_POST
def comment_add(request, mou_pk):
    mou = get_mou_for(request.user, mou_pk, action="edit")
    form = CommentForm(request.POST)
    anchor = ""
    if form.is_valid():
        clause = parent = None
        if form.cleaned_data["clause"]:
            clause = get_object_or_404(
                Clause, pk=form.cleaned_data["clause"], section__mou=mou
            )
            anchor = f"#clause-{clause.pk}"
        if form.cleaned_data["parent"]:
            parent = get_object_or_404(Comment, pk=form.cleaned_data["parent"], mou=mou)
            # Back to the thread replied to, opened.
            anchor = f"#clause-{parent.clause_id}" if parent.clause_id else ""
        try:
            services.comment_add(
                mou=mou,
                by=request.user,
                body=form.cleaned_data["body"],
                clause=clause,
                parent=parent,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Comment added.")
    else:
        messages.error(request, "Write a comment first.")
    return HttpResponseRedirect(mou.get_absolute_url() + anchor)


@require_POST
def comment_resolve(request, mou_pk, comment_pk):
    mou = get_mou_for(request.user, mou_pk, action="edit")
    comment = get_object_or_404(Comment, pk=comment_pk, mou=mou, parent__isnull=True)
    services.comment_resolve(
        comment=comment, by=request.user, resolved=request.POST.get("reopen") != "1"
    )
    return HttpResponseRedirect(
        mou.get_absolute_url()
        + (f"#clause-{comment.clause_id}" if comment.clause_id else "")
    )
