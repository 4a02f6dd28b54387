"""The public screener: the questionnaire on one phone-sized page, then the
matches with reasons, to print, e-mail or text. No account; nothing about the
person is stored (the anonymous counts of needs excepted)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from directory.public import in_visitor_language, language_links

from . import matching, screens, services
from .questionnaire import AnswersInvalid, asked, read, text


def questions_for_display(content: dict, answers: dict) -> list[dict]:
    """Each question with its text in the active language, its answers and
    what the visitor chose, and the condition the page's script checks."""
    shown = {q["key"] for q in asked(content, answers)}
    result = []
    for question in content["questions"]:
        chosen = answers.get(question["key"], [])
        result.append(
            {
                **question,
                "label": text(question),
                "chosen": chosen,
                "value": chosen[0] if chosen else "",
                "hidden": question["key"] not in shown,
                "options": [
                    {**a, "text": text(a, "label"), "checked": a["key"] in chosen}
                    for a in question.get("answers", [])
                ],
            }
        )
    return result


def _form(request, version, answers, problems, *, template, extra=None):
    content = version.content if version else {"questions": []}
    return TemplateResponse(
        request,
        template,
        {
            "version": version,
            "title": content.get("title", ""),
            "intro": text(content, "intro"),
            "questions": questions_for_display(content, answers),
            "problems": problems,
            "language_links": language_links(request),
            **(extra or {}),
        },
        status=400 if problems else 200,
    )


@in_visitor_language
@require_http_methods(["GET", "POST"])
def start(request):
    """The questionnaire; answers posted here are checked, counted (needs by
    area and month, nothing else) and carried to the results in the URL."""
    version = screens.current_version()
    if version is None or request.method == "GET":
        return _form(request, version, {}, {}, template="screener/start.html")
    raw = screens.answers_from(request.POST, version)
    try:
        answers = read(version.content, raw)
    except AnswersInvalid as invalid:
        return _form(
            request, version, raw, invalid.problems, template="screener/start.html"
        )
    needs = screens.needs_of(version.content, answers)
    services.screen_count(needs=needs)
    url = reverse("screener:results")
    return HttpResponseRedirect(f"{url}?r={screens.token_for(version, answers)}")


@in_visitor_language
@require_http_methods(["GET", "POST"])
def results(request):
    """The matches, explained; POST sends them to the visitor's e-mail or phone."""
    token = request.GET.get("r") or request.POST.get("r", "")
    screen = screens.from_token(token)
    if screen is None:
        return TemplateResponse(request, "screener/expired.html", status=400)
    version, answers, needs = screen
    matches = matching.match(needs)
    sent, problem = "", ""
    if request.method == "POST":
        link = request.build_absolute_uri(f"{reverse('screener:results')}?r={token}")
        channel = request.POST.get("channel")
        try:
            if channel == "email":
                services.results_email(
                    to=request.POST.get("email", ""), matches=matches, link=link
                )
                sent = _("Sent to your e-mail. We did not keep the address.")
            elif channel == "sms":
                services.results_text(
                    to=request.POST.get("phone", ""), matches=matches, link=link
                )
                sent = _("Sent by text message. We did not keep the number.")
        except ValidationError as invalid:
            problem = _(invalid.messages[0])
    return TemplateResponse(
        request,
        "screener/results.html",
        {
            "matches": matches,
            "needs": needs,
            "token": token,
            "sent": sent,
            "problem": problem,
            "language_links": language_links(request),
        },
        status=400 if problem else 200,
    )
