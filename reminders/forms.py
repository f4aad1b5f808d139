from django import forms
from django.utils.translation import gettext_lazy as _

from core.widgets import DayTimeInput
from leads.phones import InvalidPhone, normalize_phone
from reminders.models import MessageTemplate
from reminders.sms import NOT_UZBEK, sms_phone
from reminders.templates import template_errors


class FollowUpForm(forms.Form):
    due_at = forms.DateTimeField(
        label=_("Contact by"),
        # The house format first (what the text input shows, core/widgets.py); ISO for links and scripts.
        input_formats=["%d.%m.%Y %H:%M", "%d.%m.%y %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=DayTimeInput(),
        help_text=_("Local time. You are reminded when it passes, and again until you record the contact."),
    )
    note = forms.CharField(required=False, max_length=255, label=_("What to talk about"))


class MessageTemplateForm(forms.ModelForm):
    """A template's text must use only the placeholders its message offers."""

    class Meta:
        model = MessageTemplate
        fields = ["kind", "language", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4, "cols": 80})}

    def clean_text(self):
        text = self.cleaned_data["text"]
        kind = self.cleaned_data.get("kind") or getattr(self.instance, "kind", "")
        errors = template_errors(kind=kind, text=text)
        if errors:
            raise forms.ValidationError(errors)
        return text


class TestSmsForm(forms.Form):
    phone = forms.CharField(
        label=_("phone"), max_length=32, help_text=_("An Uzbek mobile number; the message goes out at once.")
    )

    def clean_phone(self):
        try:
            phone = normalize_phone(self.cleaned_data["phone"])
        except InvalidPhone as exc:
            raise forms.ValidationError(str(exc)) from exc
        if not sms_phone(phone):
            raise forms.ValidationError(str(NOT_UZBEK))
        return phone
