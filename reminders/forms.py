from django import forms
from django.utils.translation import gettext_lazy as _


class FollowUpForm(forms.Form):
    due_at = forms.DateTimeField(
        label=_("Contact by"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Local time. You are reminded when it passes, and again until you record the contact."),
    )
    note = forms.CharField(required=False, max_length=255, label=_("What to talk about"))
