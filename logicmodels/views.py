"""Logic-model screens in the workspace, behind the partnership access policy."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from partnerships import charts, permissions, spreadsheets
from partnerships.views.base import breadcrumbs, section_context

from . import selectors, services
from .forms import (
    CheckInForm,
    ElementForm,
    ImportForm,
    IndicatorForm,
    LinkForm,
    LogicModelForm,
    MeasurementForm,
    TargetForm,
)
from .models import Element, Indicator, LogicModel, Measurement, Target, progress


def get_model_for(user, pk, action="view") -> LogicModel:
    model = (
        LogicModel.objects.visible_to(user)
        .select_related("partnership")
        .filter(pk=pk)
        .first()
    )
    if model is None:
        raise Http404("No such logic model.")
    permissions.require(user, model.partnership, action)
    return model


def get_indicator_for(user, pk, action="view") -> Indicator:
    indicator = (
        Indicator.objects.filter(
            element__model__in=LogicModel.objects.visible_to(user), pk=pk
        )
        .select_related("element__model__partnership", "responsible")
        .first()
    )
    if indicator is None:
        raise Http404("No such indicator.")
    permissions.require(user, indicator.element.model.partnership, action)
    return indicator


def _context(request, partnership, **extra):
    context = section_context(request, partnership, "logic-model")
    context["breadcrumbs_items"] = breadcrumbs(
        (partnership.get_absolute_url(), partnership.name),
        (reverse("logicmodels:index", args=[partnership.pk]), "Logic model"),
    )
    context.update(extra)
    return context


def model_index(request, pk):
    partnership = permissions.get_partnership_for(request.user, pk)
    form = LogicModelForm(request.POST or None)
    if request.method == "POST":
        if not permissions.can_edit(request.user, partnership):
            raise PermissionDenied
        if form.is_valid():
            model = services.model_create(
                partnership=partnership, by=request.user, **form.cleaned_data
            )
            return HttpResponseRedirect(model.get_absolute_url())
    models = list(partnership.logic_models.order_by("-created_at"))
    return render(
        request,
        "logicmodels/index.html",
        _context(request, partnership, models=models, form=form),
    )


def _return(model, anchor=""):
    return HttpResponseRedirect(model.get_absolute_url() + anchor)


def _current_clauses(partnership):
    from django.apps import apps

    Clause = apps.get_model("mou", "Clause")
    return list(
        Clause.objects.filter(
            section__mou__partnership=partnership,
            section__mou__state__in=["draft", "in_review", "signing", "executed"],
        ).select_related("section")[:300]
    )


@require_safe
def model_detail(request, model_pk):
    model = get_model_for(request.user, model_pk)
    elements = list(
        model.elements.select_related("owner").prefetch_related(
            "indicators", "responsibilities", "clauses__section"
        )
    )
    columns = [
        (value, label, [e for e in elements if e.kind == value])
        for value, label in Element.Kind.choices
    ]
    context = _context(
        request,
        model.partnership,
        model=model,
        columns=columns,
        links=list(model.links.select_related("source", "target")),
        checklist=services.quality_checklist(model),
        element_form=ElementForm(partnership=model.partnership),
        link_form=LinkForm(model=model),
        indicator_form=IndicatorForm(partnership=model.partnership),
        measurable=[e for e in elements if e.kind in Element.MEASURABLE],
        activities=[e for e in elements if e.kind == Element.Kind.ACTIVITY],
        outcomes=[e for e in elements if e.kind in Element.OUTCOMES],
        open_responsibilities=list(
            model.partnership.responsibilities.open().order_by("title")[:200]
        ),
        mou_clauses=_current_clauses(model.partnership),
        page_title=model.title,
    )
    return render(request, "logicmodels/model.html", context)


@require_POST
def element_add(request, model_pk):
    model = get_model_for(request.user, model_pk, "edit")
    form = ElementForm(request.POST, partnership=model.partnership)
    if form.is_valid():
        try:
            services.element_add(model=model, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, "Choose a column and write the element's text.")
    return _return(model, "#elements")


@require_POST
def link_add(request, model_pk):
    model = get_model_for(request.user, model_pk, "edit")
    form = LinkForm(request.POST, model=model)
    if form.is_valid():
        try:
            services.link_add(model=model, by=request.user, **form.cleaned_data)
            messages.success(request, "Link added.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(
            request,
            "Choose two elements of this logic model to link. "
            + " ".join(" ".join(e) for e in form.errors.values()),
        )
    return _return(model, "#links")


@require_POST
def indicator_add(request, model_pk):
    model = get_model_for(request.user, model_pk, "edit")
    element = model.elements.filter(pk=request.POST.get("element")).first()
    form = IndicatorForm(request.POST, partnership=model.partnership)
    if element is None:
        messages.error(request, "Choose the output or outcome the indicator measures.")
    elif form.is_valid():
        try:
            indicator = services.indicator_add(
                element=element, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            return HttpResponseRedirect(indicator.get_absolute_url())
    else:
        messages.error(
            request,
            " ".join(
                f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()
            ),
        )
    return _return(model, "#indicators")


@require_POST
def element_tie(request, model_pk):
    from django.apps import apps

    from accountability.models import Responsibility

    model = get_model_for(request.user, model_pk, "edit")
    element = model.elements.filter(pk=request.POST.get("element")).first()
    responsibility = Responsibility.objects.filter(
        pk=request.POST.get("responsibility") or 0
    ).first()
    clause = (
        apps.get_model("mou", "Clause")
        .objects.filter(pk=request.POST.get("clause") or 0)
        .select_related("section__mou")
        .first()
    )
    if element is None or (responsibility is None and clause is None):
        messages.error(request, "Choose an element and what to tie it to.")
    else:
        try:
            services.element_tie(
                element=element,
                by=request.user,
                responsibility=responsibility,
                clause=clause,
            )
            messages.success(request, "Tied.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return _return(model, "#elements")


@require_POST
def model_adopt(request, model_pk):
    model = get_model_for(request.user, model_pk, "coordinate")
    try:
        services.model_adopt(model=model, by=request.user)
        messages.success(request, "Adopted: this is now the partnership's logic model.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _return(model)


@require_POST
def model_new_version(request, model_pk):
    model = get_model_for(request.user, model_pk, "coordinate")
    copy = services.model_new_version(
        model=model, by=request.user, reason=request.POST.get("reason", "")
    )
    messages.success(request, "New draft version: change it, then adopt it.")
    return HttpResponseRedirect(copy.get_absolute_url())


@require_POST
def from_proposal(request, pk, entry_pk):
    from accountability.models import LearningEntry

    partnership = permissions.get_partnership_for(request.user, pk, action="coordinate")
    entry = LearningEntry.objects.filter(
        pk=entry_pk, partnership=partnership, proposal_status="open"
    ).first()
    if entry is None:
        raise Http404
    try:
        draft = services.version_from_proposal(entry=entry, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(entry.get_absolute_url())
    messages.success(request, "New draft of the logic model opened from the proposal.")
    return HttpResponseRedirect(draft.get_absolute_url())


@require_safe
def diagram_svg(request, model_pk):
    model = get_model_for(request.user, model_pk)
    response = HttpResponse(selectors.diagram_svg(model), content_type="image/svg+xml")
    if request.GET.get("download"):
        response["Content-Disposition"] = (
            f'attachment; filename="logic-model-{model.pk}.svg"'
        )
    return response


@require_safe
def model_export(request, model_pk, fmt):
    if fmt == "docx":
        from .documents import summary_docx

        model = get_model_for(request.user, model_pk)
        response = HttpResponse(
            summary_docx(model),
            content_type="application/vnd.openxmlformats-officedocument."
            "wordprocessingml.document",
        )
        response["Content-Disposition"] = 'attachment; filename="logic-model.docx"'
        return response
    if fmt not in spreadsheets.CONTENT_TYPES:
        raise Http404
    model = get_model_for(request.user, model_pk)
    headers = [
        "Kind",
        "Element",
        "Leads to",
        "Indicator",
        "Unit",
        "Baseline",
        "Latest value",
        "Latest period",
        "Next target",
        "Target period end",
        "Status",
    ]
    rows = []
    elements = model.elements.prefetch_related(
        "outgoing__target",
        "indicators__targets",
        "indicators__measurements",
        "indicators__checkins",
    )
    for element in elements:
        leads = "; ".join(link.target.text for link in element.outgoing.all())
        indicators = list(element.indicators.all()) or [None]
        for indicator in indicators:
            if indicator is None:
                rows.append(
                    [element.get_kind_display(), element.text, leads] + [""] * 8
                )
                continue
            measurements = list(indicator.measurements.all())
            latest = measurements[-1] if measurements else None
            targets = list(indicator.targets.all())
            checkins = list(indicator.checkins.all())
            rows.append(
                [
                    element.get_kind_display(),
                    element.text,
                    leads,
                    indicator.name,
                    indicator.get_unit_display(),
                    float(indicator.baseline_value)
                    if indicator.baseline_value is not None
                    else "",
                    float(latest.value) if latest else "",
                    str(latest.period_end) if latest else "",
                    float(targets[-1].value) if targets else "",
                    str(targets[-1].period_end) if targets else "",
                    checkins[0].get_status_display() if checkins else "",
                ]
            )
    body = spreadsheets.render(fmt, "Results framework", headers, rows)
    response = HttpResponse(body, content_type=spreadsheets.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="results-framework.{fmt}"'
    return response


def indicator_detail(request, indicator_pk):
    indicator = get_indicator_for(request.user, indicator_pk)
    model = indicator.element.model
    partnership = model.partnership
    may_measure = services.may_measure(request.user, indicator)
    forms_ = {
        "target": TargetForm(
            prefix="t", initial=selectors.next_target_period(indicator)
        ),
        "measurement": MeasurementForm(prefix="m"),
        "import": ImportForm(prefix="i"),
        "checkin": CheckInForm(prefix="c"),
    }
    problems = []
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "target":
                if not permissions.can_edit(request.user, partnership):
                    raise PermissionDenied
                form = forms_["target"] = TargetForm(request.POST, prefix="t")
                if form.is_valid():
                    services.target_add(
                        indicator=indicator, by=request.user, **form.cleaned_data
                    )
                    messages.success(request, "Target added.")
                    return HttpResponseRedirect(indicator.get_absolute_url())
            elif action == "measurement":
                form = forms_["measurement"] = MeasurementForm(request.POST, prefix="m")
                if form.is_valid():
                    services.measurement_add(
                        indicator=indicator, by=request.user, **form.cleaned_data
                    )
                    messages.success(request, "Measurement recorded.")
                    return HttpResponseRedirect(indicator.get_absolute_url())
            elif action == "import":
                form = forms_["import"] = ImportForm(
                    request.POST, request.FILES, prefix="i"
                )
                if form.is_valid():
                    count, problems = services.measurements_import(
                        indicator=indicator,
                        by=request.user,
                        data=form.cleaned_data["file"].read(),
                    )
                    if not problems:
                        messages.success(request, f"{count} measurements imported.")
                        return HttpResponseRedirect(indicator.get_absolute_url())
            elif action == "checkin":
                form = forms_["checkin"] = CheckInForm(request.POST, prefix="c")
                if form.is_valid():
                    services.checkin_add(
                        indicator=indicator, by=request.user, **form.cleaned_data
                    )
                    messages.success(request, "Check-in recorded.")
                    return HttpResponseRedirect(indicator.get_absolute_url())
            else:
                raise Http404
        except ValidationError as error:
            form.add_error(None, error)
    measurements = list(indicator.measurements.select_related("entered_by"))
    targets = list(indicator.targets.all())
    labels = [str(m.period_end) for m in measurements][-24:]
    target_by_end = {}
    for t in targets:
        target_by_end[t.period_end] = t.value
    values = [float(m.value) for m in measurements][-24:]
    chart = None
    if values:
        ceiling = max(values + [float(t.value) for t in targets] + [1])
        series = {"Measured": values}
        if targets:
            series["Target"] = [
                float(
                    next(
                        (
                            t.value
                            for t in targets
                            if t.period_start <= m.period_end <= t.period_end
                        ),
                        0,
                    )
                )
                or None
                for m in measurements[-24:]
            ]
        chart = charts.line_chart(
            f"{indicator.name}: measurements against targets",
            labels,
            series,
            y_min=0,
            y_max=ceiling * 1.1,
        )
    # Rows the page cannot read (out of range, stored around the checks) are left
    # out by the models' managers; say so instead of failing for everyone.
    hidden = (
        Measurement.all_objects.filter(indicator=indicator).count()
        - len(measurements)
        + Target.all_objects.filter(indicator=indicator).count()
        - len(targets)
    )
    if hidden:
        messages.warning(
            request,
            f"{hidden} stored figure{'s' if hidden != 1 else ''} of this indicator "
            "could not be read and {} left out. Ask hub staff to correct "
            "{}.".format(*(("are", "them") if hidden != 1 else ("is", "it"))),
        )
    latest = measurements[-1] if measurements else None
    current_target = next(
        (
            t
            for t in targets
            if latest and t.period_start <= latest.period_end <= t.period_end
        ),
        targets[-1] if targets else None,
    )
    context = _context(
        request,
        partnership,
        indicator=indicator,
        model=model,
        measurements=measurements[-60:],
        targets=targets,
        checkins=list(indicator.checkins.select_related("author")[:20]),
        chart=chart,
        progress=progress(
            latest.value if latest else None,
            indicator.baseline_value,
            current_target.value if current_target else None,
            indicator.direction,
        ),
        may_measure=may_measure,
        forms=forms_,
        problems=problems,
        page_title=indicator.name,
    )
    return render(request, "logicmodels/indicator.html", context)
