import datetime
import re

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from partnerships.forms import DateInput
from partnerships.models import Organisation, timezone_choices

from .models import MeetingSeries
from .recurrence import MAX_COUNT, validate_rule, validate_start

User = get_user_model()

WEEKDAYS = [
    ("MO", "Monday"),
    ("TU", "Tuesday"),
    ("WE", "Wednesday"),
    ("TH", "Thursday"),
    ("FR", "Friday"),
    ("SA", "Saturday"),
    ("SU", "Sunday"),
]
PRESETS = [
    ("monthly_review", "Monthly shared-participant review (second Tuesday)"),
    ("quarterly_strategic", "Quarterly strategic review (first Wednesday)"),
    ("custom", "Custom rule"),
]
PRESET_RULES = {
    "monthly_review": "FREQ=MONTHLY;BYDAY=2TU",
    "quarterly_strategic": "FREQ=MONTHLY;INTERVAL=3;BYDAY=1WE",
}


class TimeInput(forms.TimeInput):
    input_type = "time"


def parse_addresses(text: str) -> list[tuple[str, str]]:
    """'Name <email>' or 'email', one a line → [(email, name)]; bad lines raise."""
    result = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        match = re.match(r"^(.*?)<([^>]+)>$", line)
        name, email = (
            (match.group(1).strip(), match.group(2).strip()) if match else ("", line)
        )
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError(
                f"“{line}” is not an e-mail address. Write one address a line, as "
                "name@example.org or Name <name@example.org>."
            ) from None
        result.append((email.lower(), name))
    return result


class SeriesForm(forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=MeetingSeries.Kind.choices, label="Type")
    preset = forms.ChoiceField(choices=PRESETS, label="How often")
    frequency = forms.ChoiceField(
        choices=[("WEEKLY", "Weekly"), ("MONTHLY", "Monthly"), ("YEARLY", "Yearly")],
        required=False,
        help_text="For a custom rule.",
    )
    interval = forms.IntegerField(
        initial=1,
        min_value=1,
        max_value=366,
        required=False,
        help_text="Every 1, 2, 3 … weeks or months.",
        error_messages={
            "min_value": "The interval must be 1 or more.",
            "max_value": "The interval must be 366 or less.",
        },
    )
    weekday = forms.ChoiceField(choices=[("", "—"), *WEEKDAYS], required=False)
    nth = forms.TypedChoiceField(
        choices=[
            ("", "—"),
            (1, "First"),
            (2, "Second"),
            (3, "Third"),
            (4, "Fourth"),
            (-1, "Last"),
        ],
        coerce=int,
        empty_value=None,
        required=False,
        label="Which one in the month",
    )
    month_day = forms.IntegerField(
        min_value=1,
        max_value=31,
        required=False,
        label="Or day of the month",
        help_text="Months without that day are skipped (RFC 5545).",
    )
    until = forms.DateField(
        widget=DateInput(),
        required=False,
        label="Ends on",
        error_messages={"invalid": "Enter the end date as YYYY-MM-DD."},
    )
    count = forms.IntegerField(
        min_value=1, max_value=MAX_COUNT, required=False, label="Or after … meetings"
    )
    start_date = forms.DateField(
        widget=DateInput(),
        label="First meeting",
        error_messages={"invalid": "Enter the first date as YYYY-MM-DD."},
    )
    start_time = forms.TimeField(widget=TimeInput(), initial=datetime.time(10, 0))
    duration_minutes = forms.IntegerField(
        min_value=5, max_value=600, initial=60, label="Length (minutes)"
    )
    timezone = forms.ChoiceField()
    location = forms.CharField(max_length=300, required=False)
    video_url = forms.URLField(required=False, label="Video link")
    members = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Invite partnership members",
    )
    external = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Invite others by e-mail",
        help_text="One a line: name@example.org or Name <name@example.org>.",
    )
    agenda_template = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label="Standing agenda",
        help_text="One item a line.",
    )

    def __init__(self, *args, partnership=None, include_invitees=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = timezone_choices()
        self.fields["timezone"].initial = partnership.timezone if partnership else None
        if include_invitees:
            self.fields["members"].queryset = (
                User.objects.filter(
                    memberships__organisation__participations__partnership=partnership,
                    is_active=True,
                )
                .distinct()
                .order_by("first_name", "last_name")
            )
            self.fields["members"].label_from_instance = lambda u: (
                f"{u.get_full_name() or u.username} <{u.email}>"
            )
        else:
            del self.fields["members"]
            del self.fields["external"]

    def clean_external(self):
        return parse_addresses(self.cleaned_data.get("external", ""))

    def clean(self):
        data = super().clean()
        preset = data.get("preset")
        if preset in PRESET_RULES:
            rule = PRESET_RULES[preset]
        else:
            frequency = data.get("frequency")
            interval = data.get("interval")
            if not frequency:
                raise ValidationError("Choose how often a custom series repeats.")
            if interval is not None and interval < 1:
                self.add_error("interval", "The interval must be 1 or more.")
                return data
            rule = f"FREQ={frequency}"
            if interval and interval > 1:
                rule += f";INTERVAL={interval}"
            weekday, nth = data.get("weekday"), data.get("nth")
            if weekday:
                prefix = str(nth) if nth and frequency != "WEEKLY" else ""
                rule += f";BYDAY={prefix}{weekday}"
            elif data.get("month_day"):
                rule += f";BYMONTHDAY={data['month_day']}"
        until, count, start = (
            data.get("until"),
            data.get("count"),
            data.get("start_date"),
        )
        if until and count:
            raise ValidationError("End the series by a date or by a number, not both.")
        if until and start and until < start:
            self.add_error("until", "The end date is before the first meeting.")
            return data
        if until:
            rule += f";UNTIL={until:%Y%m%d}T235959"
        if count:
            rule += f";COUNT={count}"
        data["rrule"] = rule
        if start and data.get("start_time"):
            data["start_local"] = datetime.datetime.combine(start, data["start_time"])
            try:
                validate_rule(rule, data["start_local"])
            except ValidationError as error:
                self.add_error(None, error)
        return data


class InviteeForm(forms.Form):
    addresses = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Add invitees",
        help_text="One a line: name@example.org or Name <name@example.org>.",
    )

    def clean_addresses(self):
        return parse_addresses(self.cleaned_data["addresses"])


class MoveForm(forms.Form):
    date = forms.DateField(
        widget=DateInput(), error_messages={"invalid": "Enter the date as YYYY-MM-DD."}
    )

    def clean_date(self):
        date = self.cleaned_data["date"]
        validate_start(date, "new date")
        return date

    time = forms.TimeField(widget=TimeInput())
    notify = forms.BooleanField(
        required=False, initial=True, label="Send the change to invitees"
    )


class AgendaItemForm(forms.Form):
    title = forms.CharField(max_length=300)
    minutes_allotted = forms.IntegerField(
        min_value=1, max_value=600, required=False, label="Minutes"
    )
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = (
            people if people is not None else User.objects.none()
        )
        self.fields["owner"].label_from_instance = lambda u: (
            u.get_full_name() or u.username
        )


class ActionForm(forms.Form):
    text = forms.CharField(max_length=300, label="Action")
    owner = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label="Owner organisation"
    )
    due_date = forms.DateField(
        widget=DateInput(),
        required=False,
        error_messages={"invalid": "Enter the due date as YYYY-MM-DD."},
    )

    def __init__(self, *args, partnership=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Organisation.objects.filter(
            participations__partnership=partnership
        ).order_by("name")
