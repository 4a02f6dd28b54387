from django import forms

from partnerships.forms import DATE_HELP, DateInput
from partnerships.models import Organisation

from .models import CheckIn, Element, Indicator, LogicModel

DATE_ERRORS = {"invalid": "Enter the date as YYYY-MM-DD."}
TOO_LARGE = (
    "Figures must be below 10,000,000,000 (ten billion). Check the figure, or report "
    "it in a larger unit (thousands or millions)."
)
NUMBER_ERRORS = {
    "invalid": "Enter a number, such as 42 or 3.5.",
    "max_digits": TOO_LARGE,
    "max_whole_digits": TOO_LARGE,
    "max_decimal_places": "Round the figure to at most 4 decimal places.",
}


class LogicModelForm(forms.ModelForm):
    class Meta:
        model = LogicModel
        fields = ["title", "problem_statement", "next_review"]
        widgets = {
            "next_review": DateInput(),
            "problem_statement": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {"next_review": DATE_ERRORS}


class ElementForm(forms.Form):
    kind = forms.ChoiceField(choices=Element.Kind.choices, label="Column")
    text = forms.CharField(max_length=300)
    owner = forms.ModelChoiceField(queryset=Organisation.objects.none(), required=False)

    def __init__(self, *args, partnership=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Organisation.objects.filter(
            participations__partnership=partnership
        ).order_by("name")


class LinkForm(forms.Form):
    source = forms.ModelChoiceField(queryset=Element.objects.none(), label="From")
    target = forms.ModelChoiceField(queryset=Element.objects.none(), label="Leads to")
    rationale = forms.CharField(max_length=300, required=False, label="Because")

    def __init__(self, *args, model=None, **kwargs):
        super().__init__(*args, **kwargs)
        elements = model.elements.order_by("kind", "order")
        for name in ("source", "target"):
            self.fields[name].queryset = elements
            self.fields[name].label_from_instance = lambda e: (
                f"{e.get_kind_display()}: {e.text[:60]}"
            )


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = [
            "name",
            "definition",
            "unit",
            "numerator",
            "denominator",
            "data_source",
            "frequency",
            "direction",
            "responsible",
            "baseline_value",
            "baseline_date",
            "baseline_pending",
            "reporting_from",
            "reporting_until",
            "breakdowns",
        ]
        widgets = {
            "definition": forms.Textarea(attrs={"rows": 2}),
            "baseline_date": DateInput(),
            "reporting_from": DateInput(),
            "reporting_until": DateInput(),
        }
        error_messages = {
            "baseline_date": DATE_ERRORS,
            "reporting_from": DATE_ERRORS,
            "reporting_until": DATE_ERRORS,
            "baseline_value": NUMBER_ERRORS,
        }

    def __init__(self, *args, partnership=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = Organisation.objects.filter(
            participations__partnership=partnership
        ).order_by("name")


class TargetForm(forms.Form):
    period_start = forms.DateField(
        widget=DateInput(),
        required=False,
        error_messages=DATE_ERRORS,
        help_text=DATE_HELP,
    )
    period_end = forms.DateField(
        widget=DateInput(), required=False, error_messages=DATE_ERRORS
    )
    value = forms.DecimalField(
        max_digits=14, decimal_places=4, error_messages=NUMBER_ERRORS
    )

    def clean(self):
        data = super().clean()
        if not data.get("period_start") or not data.get("period_end"):
            raise forms.ValidationError(
                "A target needs the period it is for: a start and an end date."
            )
        return data


class MeasurementForm(forms.Form):
    period_start = forms.DateField(widget=DateInput(), error_messages=DATE_ERRORS)
    period_end = forms.DateField(widget=DateInput(), error_messages=DATE_ERRORS)
    value = forms.DecimalField(
        max_digits=14, decimal_places=4, required=False, error_messages=NUMBER_ERRORS
    )
    numerator = forms.DecimalField(
        max_digits=14, decimal_places=4, required=False, error_messages=NUMBER_ERRORS
    )
    denominator = forms.DecimalField(
        max_digits=14, decimal_places=4, required=False, error_messages=NUMBER_ERRORS
    )
    note = forms.CharField(max_length=300, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(
        help_text="CSV with the columns period_start, period_end, value (or numerator "
        "and denominator), note. At most 5,000 rows and 1 MB a file."
    )

    def clean_file(self):
        from .services import MAX_IMPORT_BYTES, too_big_message

        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(too_big_message())
        return upload


class CheckInForm(forms.Form):
    status = forms.ChoiceField(choices=CheckIn.Status.choices, label="Are we on track?")
    narrative = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Why")
