from django import forms
from django.core.exceptions import ValidationError

from accountability.models import Responsibility
from partnerships.forms import DATE_HELP, DateInput
from partnerships.models import Organisation

from .models import MOUTemplate, SectionKind


class CreateForm(forms.Form):
    template = forms.ModelChoiceField(
        queryset=MOUTemplate.objects.all(), empty_label=None
    )
    title = forms.CharField(
        max_length=200,
        required=False,
        help_text="Leave empty to use “<partnership> MOU”.",
    )


class SectionForm(forms.Form):
    heading = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=SectionKind.choices, label="Section type")
    base_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ClauseForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Clause")
    responsible = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label="Responsible organisation",
        help_text="Makes the clause a commitment, tracked once the MOU is signed.",
    )
    due_date = forms.DateField(
        widget=DateInput(),
        required=False,
        help_text=DATE_HELP,
        error_messages={"invalid": "Enter the due date as YYYY-MM-DD."},
    )
    cadence = forms.ChoiceField(
        choices=Responsibility.Cadence.choices, required=False, label="Repeats"
    )

    def __init__(self, *args, parties=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = parties

    def clean(self):
        data = super().clean()
        if data.get("cadence") and not data.get("due_date"):
            self.add_error(
                "due_date", "A recurring commitment needs its first due date."
            )
        return data


class BaseClauseFormSet(forms.BaseFormSet):
    def __init__(self, *args, parties=None, **kwargs):
        self.parties = parties
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"parties": self.parties}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            parties=self.parties,
            renderer=self.renderer,
        )
        self.add_fields(form, None)
        return form

    def clauses(self) -> list[dict]:
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


ClauseFormSet = forms.formset_factory(
    ClauseForm, formset=BaseClauseFormSet, extra=1, can_delete=True
)


class SignForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        empty_label=None,
        label="Signing for",
    )
    full_name = forms.CharField(max_length=200, label="Your full name")
    title = forms.CharField(max_length=200, label="Your job title")
    confirm = forms.BooleanField(
        label="I have read this version and am authorised to sign it for the "
        "organisation above."
    )
    # The SHA-256 of the text this page showed; the signature binds only that.
    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations

    def clean_fingerprint(self):
        fingerprint = self.cleaned_data["fingerprint"].strip().lower()
        if not fingerprint:
            raise ValidationError(
                "This page does not say which text you read. Reload the signing "
                "page, read the text and sign again."
            )
        return fingerprint


class TerminateForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    effective = forms.DateField(
        widget=DateInput(),
        label="Effective date",
        help_text=DATE_HELP,
        error_messages={"invalid": "Enter the effective date as YYYY-MM-DD."},
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Comment",
        help_text="Mention someone with @username to let them know.",
    )
    clause = forms.IntegerField(widget=forms.HiddenInput, required=False)
    parent = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise ValidationError("Write a comment first.")
        return body
