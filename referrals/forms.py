from django import forms
from django.core.exceptions import ValidationError

from partnerships.forms import DateInput
from partnerships.models import Organisation

from .models import Referral


class ProtocolForm(forms.Form):
    criteria = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="When to refer"
    )
    steps = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="The steps")
    fields_text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label="Data the receiving side needs",
        help_text="One field a line: name | label | type (text, date, choice, yesno) | "
        "required or optional | choices separated by commas.",
    )
    collect_demographics = forms.BooleanField(required=False)
    consent_required = forms.BooleanField(required=False, initial=True)
    consent_text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    acknowledge_days = forms.IntegerField(
        min_value=1, max_value=30, initial=2, label="Acknowledge within (working days)"
    )
    outcome_days = forms.IntegerField(
        min_value=1, max_value=365, initial=30, label="Outcome within (days)"
    )
    contacts = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def clean_fields_text(self):
        fields = []
        for number, line in enumerate(self.cleaned_data["fields_text"].splitlines(), 1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            parts += [""] * (5 - len(parts))
            name, label, kind, required, choices = parts[:5]
            fields.append(
                {
                    "name": name,
                    "label": label or name,
                    "type": kind or "text",
                    "required": required.lower().startswith("req"),
                    "choices": [c for c in choices.split(",") if c.strip()],
                }
            )
            if not name:
                raise ValidationError(f"Line {number} has no field name.")
        return fields


def protocol_fields_text(fields: list[dict]) -> str:
    return "\n".join(
        " | ".join(
            [
                f["name"],
                f["label"],
                f["type"],
                "required" if f["required"] else "optional",
                ", ".join(f.get("choices", [])),
            ]
        )
        for f in fields
    )


class ReferralForm(forms.Form):
    sender = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Referring organisation",
        empty_label=None,
    )
    receiver = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label="Refer to"
    )
    local_reference = forms.CharField(max_length=60, help_text="Your own case number.")
    initials = forms.CharField(max_length=6)
    birth_year = forms.IntegerField(min_value=1900, max_value=2100)
    off_platform = forms.BooleanField(
        required=False, label="Already made by phone or paper (log it)"
    )

    def __init__(self, *args, protocol=None, senders=None, receivers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sender"].queryset = senders
        self.fields["receiver"].queryset = receivers
        self.protocol = protocol
        for field in protocol.fields:
            name = f"field_{field['name']}"
            if field["type"] == "date":
                self.fields[name] = forms.DateField(
                    widget=DateInput(),
                    required=field["required"],
                    label=field["label"],
                    error_messages={"invalid": "Enter the date as YYYY-MM-DD."},
                )
            elif field["type"] == "choice":
                self.fields[name] = forms.ChoiceField(
                    choices=[("", "—"), *[(c, c) for c in field["choices"]]],
                    required=field["required"],
                    label=field["label"],
                )
            elif field["type"] == "yesno":
                self.fields[name] = forms.BooleanField(
                    required=False, label=field["label"]
                )
            else:
                self.fields[name] = forms.CharField(
                    required=field["required"], label=field["label"]
                )
        if protocol.collect_demographics:
            self.fields["race_ethnicity"] = forms.ChoiceField(
                choices=[("", "—"), *Referral.RaceEthnicity.choices],
                required=False,
                label="Race and ethnicity (the client may decline)",
            )
            self.fields["language"] = forms.CharField(
                max_length=40, required=False, label="Primary language"
            )
            self.fields["zip_code"] = forms.CharField(
                max_length=10, required=False, label="ZIP code"
            )
        if protocol.consent_required:
            self.fields["consent_given"] = forms.BooleanField(
                required=False, label="The client consents, as the protocol describes"
            )
            self.fields["consent_by"] = forms.CharField(
                max_length=120, required=False, label="Consent given by"
            )
            self.fields["consent_scope"] = forms.CharField(
                required=False, label="Scope of consent"
            )
            self.fields["consent_expires"] = forms.DateField(
                widget=DateInput(),
                required=False,
                label="Consent expires",
                error_messages={"invalid": "Enter the date as YYYY-MM-DD."},
            )

    def details(self) -> dict:
        values = {}
        for field in self.protocol.fields:
            value = self.cleaned_data.get(f"field_{field['name']}")
            values[field["name"]] = (
                value.isoformat() if hasattr(value, "isoformat") else value
            )
        return values


class MoveForm(forms.Form):
    status = forms.ChoiceField(choices=Referral.Status.choices)
    reason = forms.CharField(max_length=300, required=False)


class FeedbackForm(forms.Form):
    feedback = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), label="Outcome for the sender"
    )
    satisfaction = forms.TypedChoiceField(
        choices=[("", "Not asked"), *[(n, str(n)) for n in range(1, 6)]],
        coerce=int,
        empty_value=None,
        required=False,
        label="Client satisfaction (1–5)",
    )
