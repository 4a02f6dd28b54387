"""The public verification page: anyone holding an MOU's PDF or its
fingerprint learns whether it is an agreement executed in this workspace, and
nothing else (no title, parties or text)."""

from __future__ import annotations

from django import forms
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from . import seal, selectors

MAX_UPLOAD = 20 * 1024 * 1024


class VerifyForm(forms.Form):
    file = forms.FileField(label="The PDF you received", required=False)
    fingerprint = forms.CharField(
        label="Or its fingerprint",
        required=False,
        max_length=80,
        help_text="The 16 characters after “fingerprint” in the page footer, or "
        "the full SHA-256 on the certificate.",
    )

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if not upload and not data.get("fingerprint", "").strip():
            raise forms.ValidationError("Choose a PDF or type a fingerprint.")
        if upload and upload.size > MAX_UPLOAD:
            raise forms.ValidationError("That file is larger than any MOU PDF.")
        return data


def answer(*, data: bytes | None = None, fingerprint: str = "") -> dict:
    """yes/no, and why, for a PDF's bytes or a typed fingerprint."""
    if data is not None:
        verdict = seal.check_pdf(data)
        if not verdict.ok:
            return {"yes": False, "why": verdict.problem}
        fingerprint = verdict.fingerprint
    mou = selectors.executed_with_fingerprint(fingerprint)
    if mou is None:
        return {
            "yes": False,
            "why": "No agreement executed in this workspace has this fingerprint.",
        }
    return {
        "yes": True,
        "why": (
            "The file carries this workspace's seal, unchanged since it was sealed, "
            if data is not None
            else ""
        )
        + "and it is an agreement every party signed",
        "executed_on": mou.executed_at.date(),
        "in_effect": mou.state == mou.State.EXECUTED,
    }


@never_cache
def verify(request):
    form = VerifyForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        if upload:
            result = answer(data=upload.read())
        else:
            result = answer(fingerprint=form.cleaned_data["fingerprint"])
    return render(request, "mou/verify.html", {"form": form, "result": result})
