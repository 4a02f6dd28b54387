"""Forms of the responsibility tracker, the learning log and health checks."""

from django import forms
from django.contrib.auth import get_user_model

from partnerships.forms import DATE_HELP, DateInput
from partnerships.models import Organisation

from .models import CollaborationRating, LearningEntry, Practice, Responsibility

User = get_user_model()


class ResponsibilityForm(forms.ModelForm):
    class Meta:
        model = Responsibility
        fields = ["title", "details", "owner", "owner_person", "due_date", "cadence"]
        widgets = {
            "due_date": DateInput(),
            "details": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "due_date": DATE_HELP,
            "cadence": "A recurring responsibility moves to its next due date when "
            "it is marked done.",
        }
        error_messages = {
            "due_date": {
                "invalid": "Enter the due date as YYYY-MM-DD, for example 2027-03-31."
            }
        }

    def __init__(self, *args, partnership=None, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.filter(
            participations__partnership=partnership
        ).order_by("name")
        self.fields["owner"].queryset = organisations
        self.fields["owner_person"].queryset = (
            User.objects.filter(
                memberships__organisation__in=organisations, is_active=True
            )
            .distinct()
            .order_by("first_name", "last_name", "username")
        )
        self.fields["owner_person"].label_from_instance = lambda u: (
            u.get_full_name() or u.username
        )


class ReportForm(forms.Form):
    status = forms.ChoiceField(choices=Responsibility.Status.choices)
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="What happened, what is in the way, what help you need.",
    )


class BulkStatusForm(forms.Form):
    responsibilities = forms.ModelMultipleChoiceField(
        queryset=Responsibility.objects.none(),
        error_messages={"required": "Tick at least one responsibility first."},
    )
    status = forms.ChoiceField(choices=Responsibility.Status.choices)

    def __init__(self, *args, partnership=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsibilities"].queryset = Responsibility.objects.filter(
            partnership=partnership
        )


class LearningEntryForm(forms.ModelForm):
    class Meta:
        model = LearningEntry
        fields = [
            "title",
            "kind",
            "practice",
            "happened_on",
            "what_happened",
            "what_we_learned",
            "what_we_change",
            "responsibilities",
            "proposal_kind",
            "proposal",
        ]
        widgets = {
            "happened_on": DateInput(),
            "what_happened": forms.Textarea(attrs={"rows": 3}),
            "what_we_learned": forms.Textarea(attrs={"rows": 3}),
            "what_we_change": forms.Textarea(attrs={"rows": 3}),
            "proposal": forms.Textarea(attrs={"rows": 3}),
            "responsibilities": forms.CheckboxSelectMultiple(),
        }
        error_messages = {"happened_on": {"invalid": "Enter the date as YYYY-MM-DD."}}

    def __init__(self, *args, partnership=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsibilities"].queryset = partnership.responsibilities.open()[
            :100
        ]
        self.fields["responsibilities"].required = False


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", "Accept"), ("decline", "Decline")],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class HealthRoundForm(forms.Form):
    title = forms.CharField(max_length=120, initial="Health check")
    closes_on = forms.DateField(
        widget=DateInput(),
        help_text=DATE_HELP,
        error_messages={"invalid": "Enter the closing date as YYYY-MM-DD."},
    )


SCORE_CHOICES = [(n, str(n)) for n in range(1, 6)]


class HealthResponseForm(forms.Form):
    """Rate each practice 1–5, optionally how closely you work with each partner."""

    def __init__(self, *args, organisations=(), others=(), **kwargs):
        super().__init__(*args, **kwargs)
        if len(organisations) > 1:
            self.fields["organisation"] = forms.ModelChoiceField(
                queryset=Organisation.objects.filter(
                    pk__in=[o.pk for o in organisations]
                ),
                help_text="You answer on behalf of this organisation.",
            )
        self.organisation = organisations[0] if len(organisations) == 1 else None
        for value, label in Practice.choices:
            self.fields[f"score_{value}"] = forms.TypedChoiceField(
                label=label,
                choices=SCORE_CHOICES,
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "score"}),
                help_text="1 = not at all, 5 = fully",
                error_messages={
                    "required": "Rate this practice from 1 to 5.",
                    "invalid_choice": "Ratings run from 1 to 5.",
                },
            )
            self.fields[f"comment_{value}"] = forms.CharField(
                label="Comment", required=False, max_length=1000
            )
        self.others = list(others)
        for other in self.others:
            self.fields[f"level_{other.pk}"] = forms.TypedChoiceField(
                label=f"How closely do you work with {other.name}?",
                choices=[("", "Skip"), *CollaborationRating.Level.choices],
                coerce=int,
                empty_value=None,
                required=False,
            )

    def ratings(self) -> dict:
        return {
            value: (
                self.cleaned_data[f"score_{value}"],
                self.cleaned_data[f"comment_{value}"],
            )
            for value in Practice.values
        }

    def collaboration(self) -> dict:
        return {
            other.pk: self.cleaned_data[f"level_{other.pk}"]
            for other in self.others
            if self.cleaned_data.get(f"level_{other.pk}") is not None
        }
