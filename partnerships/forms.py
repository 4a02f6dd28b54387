from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from .models import (
    Invitation,
    Organisation,
    Participation,
    Partnership,
    PartnershipRole,
    SustainabilityCommitment,
    timezone_choices,
)

User = get_user_model()

DATE_HELP = "As YYYY-MM-DD, for example 2027-03-31."


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PartnershipForm(forms.ModelForm):
    class Meta:
        model = Partnership
        fields = [
            "name",
            "purpose",
            "success_criteria",
            "formality",
            "start_date",
            "end_date",
            "timezone",
            "shares_client_data",
            "escalation_days",
        ]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "purpose": forms.Textarea(attrs={"rows": 4}),
            "success_criteria": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"start_date": DATE_HELP, "end_date": DATE_HELP}
        error_messages = {
            "name": {
                "unique": "A partnership with this name already exists. Choose a "
                "name partners will tell apart."
            },
            "start_date": {"invalid": "Enter the start date as YYYY-MM-DD."},
            "end_date": {"invalid": "Enter the end date as YYYY-MM-DD."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["escalation_days"].required = False
        self.fields["timezone"] = forms.ChoiceField(
            choices=timezone_choices(),
            initial=self.fields["timezone"].initial,
            help_text=self.fields["timezone"].help_text,
        )

    def clean_escalation_days(self):
        value = self.cleaned_data.get("escalation_days")
        return 7 if value is None else value

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        duplicate = Partnership.objects.filter(name__iexact=name)
        if self.instance.pk:
            duplicate = duplicate.exclude(pk=self.instance.pk)
        if duplicate.exists():
            raise ValidationError(
                "A partnership with this name already exists. Choose a name partners "
                "will tell apart."
            )
        return name


class PartnershipCreateForm(PartnershipForm):
    lead = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Lead organisation",
        help_text="Your organisation that leads the partnership; you become its "
        "coordinator.",
    )

    coordinator_signs = forms.BooleanField(
        required=False,
        label="I also sign agreements for my organisation",
        help_text="You become its signatory here, so the MOU can go to signing "
        "without another step.",
    )

    # Partner organisations invited in the same step, each through one contact.
    PARTNER_ROWS = 3

    class Meta(PartnershipForm.Meta):
        fields = ["lead", *PartnershipForm.Meta.fields]

    def __init__(self, *args, lead_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = lead_choices
        if lead_choices is not None and len(lead_choices) == 1:
            self.fields["lead"].initial = lead_choices[0].pk
        for row in range(1, self.PARTNER_ROWS + 1):
            self.fields[f"partner_{row}"] = forms.ModelChoiceField(
                queryset=Organisation.objects.order_by("name"),
                required=False,
                label=f"Partner organisation {row}",
                help_text="An organisation already in the workspace (optional; "
                "you can invite partners later).",
            )
            self.fields[f"partner_{row}_new"] = forms.CharField(
                max_length=200,
                required=False,
                label=f"…or partner {row}, new to the workspace",
            )
            self.fields[f"partner_{row}_email"] = forms.EmailField(
                required=False,
                label=f"Partner {row}: their contact's e-mail",
                help_text="The person who will act for them here; they get an "
                "invitation.",
            )
            self.fields[f"partner_{row}_role"] = forms.ChoiceField(
                choices=Invitation.PersonRole.choices,
                initial=Invitation.PersonRole.SIGNATORY,
                required=False,
                label=f"Partner {row}: their contact's role",
            )

    def clean(self):
        data = super().clean()
        partners, seen = [], {data.get("lead")} - {None}
        for row in range(1, self.PARTNER_ROWS + 1):
            organisation = data.get(f"partner_{row}")
            new_name = " ".join(data.get(f"partner_{row}_new", "").split())
            email = data.get(f"partner_{row}_email", "")
            if not (organisation or new_name or email):
                continue
            if organisation and new_name:
                self.add_error(
                    f"partner_{row}_new",
                    "Choose an organisation from the list or type a new one, not both.",
                )
            elif not (organisation or new_name):
                self.add_error(
                    f"partner_{row}",
                    f"Say which organisation {email} acts for.",
                )
            elif not email:
                self.add_error(
                    f"partner_{row}_email",
                    f"Give the e-mail of the person who will act for "
                    f"{organisation or new_name}.",
                )
            elif organisation in seen:
                self.add_error(
                    f"partner_{row}",
                    f"{organisation} is already in this partnership.",
                )
            else:
                seen.add(organisation)
                partners.append(
                    {
                        "organisation": organisation,
                        "new_organisation": new_name,
                        "email": email,
                        "role": data.get(f"partner_{row}_role")
                        or Invitation.PersonRole.SIGNATORY,
                    }
                )
        data["partners"] = partners
        return data


class InvitationForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(),
        required=False,
        help_text="An organisation already in the workspace.",
    )
    new_organisation = forms.CharField(
        max_length=200,
        required=False,
        label="…or a new organisation",
        help_text="Type the full name if the organisation is not in the list.",
    )
    partner_role = forms.ChoiceField(
        choices=Participation.Role.choices,
        initial=Participation.Role.PARTNER,
        label="Organisation's role",
        help_text="Used when the organisation is new to this partnership.",
    )
    email = forms.EmailField(label="Person's e-mail")
    role = forms.ChoiceField(
        choices=Invitation.PersonRole.choices, label="Person's role"
    )
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="A personal note included in the e-mail.",
    )

    def clean(self):
        data = super().clean()
        organisation = data.get("organisation")
        new_name = " ".join(data.get("new_organisation", "").split())
        if organisation and new_name:
            raise ValidationError(
                "Choose an organisation from the list or type a new name, not both."
            )
        if not organisation and not new_name:
            raise ValidationError(
                "Choose the organisation the person works for, or type its name if "
                "it is new."
            )
        if new_name:
            existing = Organisation.objects.filter(name__iexact=new_name).first()
            if existing:
                self.add_error(
                    "new_organisation",
                    f"{existing.name} is already in the workspace. Choose it from "
                    "the list instead.",
                )
            elif len(new_name) < 2:
                self.add_error(
                    "new_organisation", "Enter the organisation's full name."
                )
        data["new_organisation"] = new_name
        return data


class RoleForm(forms.Form):
    user = forms.ModelChoiceField(queryset=User.objects.none(), label="Person")
    role = forms.ChoiceField(choices=PartnershipRole.Role.choices)

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people
        self.fields["user"].label_from_instance = lambda u: (
            u.get_full_name() or u.username
        )


class CommitmentForm(forms.ModelForm):
    class Meta:
        model = SustainabilityCommitment
        fields = ["kind", "description", "amount"]


class AcceptInvitationForm(forms.Form):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    username = forms.RegexField(
        regex=r"^[\w.@+-]+$",
        max_length=150,
        help_text="Letters, digits and @ . + - _ only.",
    )
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput)
    password2 = forms.CharField(label="Password again", widget=forms.PasswordInput)

    def __init__(self, *args, email="", **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError("This username is taken. Choose another.")
        return username

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords differ. Type them again.")
        elif data.get("password1"):
            candidate = User(
                username=data.get("username", ""),
                email=self.email,
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
            )
            try:
                validate_password(data["password1"], candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return data
