import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from core.widgets import HourInput
from trials.models import TrialResult
from trials.selectors import SessionOption

NO_FREE_LESSON = _("No lesson in the next two weeks has a free place.")


class SessionChoiceForm(forms.Form):
    """Pick one lesson out of those that fit (group + date)."""

    session = forms.ChoiceField(label=_("Lesson"), help_text=_("Only lessons with a free place are offered."))
    time = forms.TimeField(
        required=False,
        label=_("Time (optional)"),
        help_text=_("Leave empty for the group's start time; a later time must be before the lesson ends."),
        widget=HourInput(),
    )

    def __init__(self, *args, options: list[SessionOption], **kwargs):
        super().__init__(*args, **kwargs)
        self.options = {option.value: option for option in options}
        self.fields["session"].choices = [("", _("— choose a lesson —"))] + [(o.value, o.label) for o in options]

    def clean_session(self):
        value = self.cleaned_data["session"]
        _group_id, _, day = value.partition(":")
        option = self.options.get(value)
        if option is None:
            raise forms.ValidationError(_("Choose one of the lessons offered."))

        self.cleaned_data["group"] = option.group
        self.cleaned_data["date"] = datetime.date.fromisoformat(day)
        return value


class BookTrialForm(SessionChoiceForm):
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RecordResultForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Result"),
        choices=[(v, label) for v, label in TrialResult.choices if v != TrialResult.PENDING],
        widget=forms.RadioSelect,
    )
    mark_lost = forms.BooleanField(required=False, label=_("Rejected: mark the lead as lost"))
    lost_reason = forms.CharField(required=False, max_length=255, label=_("Why is the lead lost?"))


class CancelTrialForm(forms.Form):
    reason = forms.CharField(required=False, max_length=255, label=_("Reason (optional)"))
