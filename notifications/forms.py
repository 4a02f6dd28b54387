from django import forms
from django.db import transaction

from .kinds import KINDS
from .models import NotificationPreference

Choice = NotificationPreference.Choice


class NotificationPreferencesForm(forms.Form):
    """One choice per kind of notification: immediately, daily digest or off.
    Built like a model form (`instance` is the person) for the account page."""

    def __init__(self, *args, instance, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = instance
        current = dict(
            NotificationPreference.objects.filter(user=instance).values_list(
                "kind", "choice"
            )
        )
        for kind in KINDS:
            self.fields[kind.key] = forms.ChoiceField(
                label=kind.label,
                choices=Choice.choices,
                initial=current.get(kind.key, Choice.IMMEDIATELY),
                widget=forms.RadioSelect,
            )

    @transaction.atomic
    def save(self) -> None:
        for kind in KINDS:
            NotificationPreference.objects.update_or_create(
                user=self.user,
                kind=kind.key,
                defaults={"choice": self.cleaned_data[kind.key]},
            )
