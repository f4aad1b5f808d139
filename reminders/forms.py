from django import forms


class FollowUpForm(forms.Form):
    due_at = forms.DateTimeField(
        label="Contact by",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Local time. You are reminded when it passes, and again until you record the contact.",
    )
    note = forms.CharField(required=False, max_length=255, label="What to talk about")
