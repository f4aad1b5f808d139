from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from leads import services
from leads.models import Lead, LeadStatus
from leads.phones import InvalidPhone, normalize_phone


class LeadAdminForm(forms.ModelForm):
    """The lead change form. Status is not a model field here: it is changed
    through leads.services.lead_change_status so history is always written."""

    new_status = forms.ChoiceField(
        label=_("Change status to"),
        required=False,
        help_text=_(
            "Only the statuses that may follow the current one and need nothing else are offered. "
            "Trial scheduled, trial attended and enrolled follow from the trial lessons above: "
            "Book trial, then on the trial's page Mark attended and Record result "
            "(or a manager enrols the lead in a group under Enrollments)."
        ),
    )

    class Meta:
        model = Lead
        # Every model field but status; the admin's fieldsets pick what is shown.
        fields = [f.name for f in Lead._meta.concrete_fields if f.editable and f.name not in ("id", "status")]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "phone" in self.fields:
            self.fields["phone"].help_text = _("Typed any way: 90 123 45 67, +998 90 123-45-67, 8 (90) 1234567.")
        if "language" in self.fields:
            # Forms posted without it (older pages, scripts) keep the lead's language.
            self.fields["language"].required = False
        lead = self.instance
        if lead.pk:
            choices = [(s, LeadStatus(s).label) for s in services.manual_next_statuses(lead)]
            keep = _("— keep “%(status)s” —") % {"status": lead.get_status_display()}
            self.fields["new_status"].choices = [("", keep), *choices]

        else:
            self.fields.pop("new_status")

    def clean_phone(self):
        raw = self.cleaned_data.get("phone", "")
        try:
            normalised = normalize_phone(raw)
        except InvalidPhone as exc:
            raise ValidationError(str(exc)) from exc
        if normalised != self.instance.phone:
            self.cleaned_data["phone_raw"] = raw
            self.instance.phone_raw = raw
        return normalised

    def clean_language(self):
        return self.cleaned_data.get("language") or self.instance.language

    def clean(self):
        cleaned = super().clean()
        new_status = cleaned.get("new_status")
        if new_status:
            reason = cleaned.get("lost_reason") or ""
            try:
                services.lead_manual_status_check(lead=self.instance, to_status=new_status, reason=reason)
            except ValidationError as exc:
                self._add_service_error(exc)
        return cleaned

    def _add_service_error(self, exc: ValidationError) -> None:
        for field, messages in exc.message_dict.items():
            target = "new_status" if field == "status" else field
            self.add_error(target if target in self.fields else None, messages)


class MarkLostForm(forms.Form):
    reason = forms.CharField(max_length=255, label=_("Why are these leads lost?"))


class AssignForm(forms.Form):
    salesperson = forms.ModelChoiceField(queryset=None, label=_("Assign to"))

    def __init__(self, *args, salespeople, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["salesperson"].queryset = salespeople
