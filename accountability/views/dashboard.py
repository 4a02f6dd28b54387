"""The leadership dashboard: figures across every partnership the user sees."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe
from wagtail import hooks

from partnerships import charts, spreadsheets
from partnerships.views.base import breadcrumbs

from .. import dashboard, figure_cache


def figure_chart(figure: dashboard.Figure):
    rows = figure.rows[: dashboard.CHART_ROWS]
    if figure.key == "overdue":
        return charts.bar_chart(
            figure.title, [(r[0], r[1]) for r in rows], colour=charts.PALETTE[3]
        )
    if figure.key == "completion":
        return charts.bar_chart(
            figure.title, [(r[0], r[3]) for r in rows], unit="%", max_value=100
        )
    return charts.bar_chart(
        figure.title,
        [(r[0], r[1]) for r in rows],
        max_value=5,
        colour=charts.PALETTE[2],
    )


def dashboard_context(user) -> dict:
    """The figures and what needs attention, cached until a write changes the
    data they read (figure_cache)."""
    return figure_cache.cached("dashboard", user, lambda: _context(user))


def _context(user) -> dict:
    today = timezone.localdate()
    figures = dashboard.figures(user, today)
    return {
        "figures": [
            {"figure": f, "chart": figure_chart(f), "rows": f.rows[:20]}
            for f in figures
        ],
        "attention": dashboard.needs_attention(user, today),
        "today": today,
    }


@require_safe
def leadership_dashboard(request):
    context = dashboard_context(request.user)
    # Other capabilities (MOUs, meetings, …) add their panels through this hook.
    panels = []
    for hook in hooks.get_hooks("construct_leadership_dashboard"):
        hook(request, panels)
    context["panels"] = sorted(panels, key=lambda panel: panel.order)
    context.update(page_title="Leadership dashboard", breadcrumbs_items=breadcrumbs())
    return render(request, "accountability/dashboard/page.html", context)


@require_safe
def dashboard_export(request, figure, fmt):
    if figure not in dashboard.FIGURES or fmt not in spreadsheets.CONTENT_TYPES:
        raise Http404
    result = dashboard.FIGURES[figure](request.user)
    body = spreadsheets.render(fmt, result.title, result.headers, result.rows)
    response = HttpResponse(body, content_type=spreadsheets.CONTENT_TYPES[fmt])
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{figure}-{stamp}.{fmt}"'
    return response
