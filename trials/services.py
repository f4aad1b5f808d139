"""Writes to trial lessons: book, mark attended / no-show, record the result,
cancel, reschedule. Admin actions, the booking page, seed data and tests call
these. Every change of the lead's status goes through leads.services.

Concurrency: booking and rescheduling lock the group row, so two receptionists
cannot both take the last place of a lesson; the partial unique constraint
"one scheduled trial per lead" backs up the per-lead check.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from leads.models import Lead, LeadStatus
from leads.services import lead_change_status, lead_mark_lost, lead_owner_rows_move
from scheduling import selectors as scheduling_selectors
from scheduling.models import Group
from scheduling.patterns import DayPattern, describe_date, meets_on
from scheduling.services import enrollment_create
from trials.models import ReminderState, Trial, TrialReminder, TrialResult, TrialStatus

# --- messages (tests import these) -----------------------------------------
GROUP_DOES_NOT_MEET = _("“{group}” does not meet on {day} (it meets {pattern}).")
GROUP_NOT_RUNNING = _("“{group}” is not running on {day} (it runs {start} – {end}).")
SESSION_OVER = _("The lesson of “{group}” on {day} at {time} is already over.")
TIME_OUTSIDE_LESSON = _(
    "%(time)s is outside the lesson of “%(group)s” (%(start)s–%(end)s): "
    "a trial starts at the lesson's start or later, and before its end."
)
GROUP_FULL_ON = _("“{group}” has no free place on {day} ({taken} of {capacity} taken, trials included).")
LEAD_HAS_TRIAL = _("{lead} already has a scheduled trial ({trial}). Cancel or reschedule it instead.")
LEAD_CLOSED = _("{lead} is {status}; a trial cannot be booked.")
NOT_SCHEDULED = _("The trial is {status}, not scheduled.")
NOT_STARTED = _("The trial starts at {start}; attendance can be recorded only after the start.")
NOT_ATTENDED = _("A result can be recorded only for an attended trial (this one is {status}).")
RESULT_FINAL = _("The result is already final ({result}).")
RESULT_SAME = _("The result is already “{result}”.")
RESULT_UNKNOWN = _("Unknown result “{value}”.")
LOST_REASON_REQUIRED = _("Say why the lead is lost.")

BOOKABLE_LEAD_STATUSES = frozenset(
    {LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.INTERESTED, LeadStatus.TRIAL_SCHEDULED, LeadStatus.TRIAL_ATTENDED}
)


def _lesson_end(group: Group, date: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(date, group.end_time, tzinfo=timezone.get_default_timezone())


def trial_session_check(
    *, group: Group, date: datetime.date, time: datetime.time, at: datetime.datetime, exclude: Trial | None = None
) -> None:
    """Raise ValidationError unless ``time`` lies within the group's lesson (from
    its start to before its end), the group meets on ``date``, is running, the
    lesson is not over and has a free place (enrolled + scheduled trials)."""
    day = describe_date(date)
    start, end = f"{group.start_time:%H:%M}", f"{group.end_time:%H:%M}"
    if not group.start_time <= time < group.end_time:
        raise ValidationError(
            {"time": TIME_OUTSIDE_LESSON % {"time": f"{time:%H:%M}", "group": group, "start": start, "end": end}}
        )
    if not meets_on(group.days, date):
        raise ValidationError(
            {"scheduled_date": GROUP_DOES_NOT_MEET.format(group=group, day=day, pattern=DayPattern(group.days).label)}
        )
    if date < group.start_date or (group.end_date and date > group.end_date):
        raise ValidationError(
            {
                "scheduled_date": GROUP_NOT_RUNNING.format(
                    group=group,
                    day=day,
                    start=f"{group.start_date:%d.%m.%Y}",
                    end=f"{group.end_date:%d.%m.%Y}" if group.end_date else "open-ended",
                )
            }
        )
    if _lesson_end(group, date) <= at:
        raise ValidationError({"scheduled_date": SESSION_OVER.format(group=group, day=day, time=start)})
    taken = scheduling_selectors.group_places_taken_on(group=group, date=date)
    if (
        exclude is not None
        and exclude.status == TrialStatus.SCHEDULED
        and exclude.group_id == group.pk
        and exclude.scheduled_date == date
    ):
        taken -= 1
    if taken >= group.capacity:
        raise ValidationError(
            {"group": GROUP_FULL_ON.format(group=group, day=day, taken=taken, capacity=group.capacity)}
        )


def _reminder_times(trial: Trial) -> tuple[datetime.datetime, datetime.datetime]:
    pre = trial.starts_at - datetime.timedelta(hours=settings.TRIAL_PRE_REMINDER_HOURS)
    post = trial.ends_at + datetime.timedelta(minutes=settings.TRIAL_POST_REMINDER_MINUTES)
    return pre, post


def trials_move_to_owner(*, lead: Lead, owner_id: int | None) -> int:
    """Give the lead's trials its current salesperson (``lead_owner``): called,
    through leads.hooks, in the transaction that (re)assigns the lead."""
    return lead_owner_rows_move(Trial, lead=lead, owner_id=owner_id)


def trial_book(
    *,
    lead: Lead,
    group: Group,
    date: datetime.date,
    by,
    time: datetime.time | None = None,
    notes: str = "",
    at: datetime.datetime | None = None,
) -> Trial:
    """Book ``lead`` into the lesson of ``group`` on ``date``; the lead moves to
    "trial scheduled" and the reminders are planned. Nothing is written on refusal."""
    at = at or timezone.now()
    with transaction.atomic():
        locked_lead = Lead.objects.select_for_update().get(pk=lead.pk)
        if locked_lead.status not in BOOKABLE_LEAD_STATUSES:
            raise ValidationError(
                {"lead": LEAD_CLOSED.format(lead=locked_lead, status=locked_lead.get_status_display().lower())}
            )
        existing = Trial.objects.filter(lead=locked_lead, status=TrialStatus.SCHEDULED).select_related("group").first()
        if existing is not None:
            raise ValidationError({"lead": LEAD_HAS_TRIAL.format(lead=locked_lead, trial=existing)})
        locked_group = Group.objects.select_for_update().get(pk=group.pk)
        time = time or locked_group.start_time
        trial_session_check(group=locked_group, date=date, time=time, at=at)
        trial = Trial(
            lead=locked_lead,
            group=locked_group,
            scheduled_date=date,
            scheduled_time=time,
            notes=notes.strip(),
            booked_by=by,
            booked_at=at,
            lead_owner_id=locked_lead.assigned_to_id,
        )
        try:
            with transaction.atomic():
                trial.save()
        except IntegrityError as exc:
            raise ValidationError(
                {"lead": LEAD_HAS_TRIAL.format(lead=locked_lead, trial=gettext("booked just now"))}
            ) from exc
        pre, post = _reminder_times(trial)
        TrialReminder.objects.create(
            trial=trial, pre_trial_reminder_scheduled_at=pre, post_trial_reminder_scheduled_at=post
        )
        if locked_lead.status != LeadStatus.TRIAL_SCHEDULED:
            lead_change_status(
                lead=locked_lead,
                to_status=LeadStatus.TRIAL_SCHEDULED,
                by=by,
                at=at,
                note=gettext("Trial booked: %(group)s %(moment)s")
                % {"group": locked_group, "moment": f"{date:%d.%m} {time:%H:%M}"},
            )
    lead.refresh_from_db()
    return trial


def _lock(trial: Trial) -> Trial:
    """Lock the trial's lead, then the trial. Every lead write (lead_change_status,
    trial_book) takes the lead first, and marking a lead lost cancels its trial
    while holding it; taking the trial first here could deadlock with that."""
    list(Lead.objects.select_for_update().filter(pk=trial.lead_id).values_list("pk", flat=True))
    return Trial.objects.select_for_update().select_related("group", "lead").get(pk=trial.pk)


def _lock_scheduled(trial: Trial) -> Trial:
    locked = _lock(trial)
    if locked.status != TrialStatus.SCHEDULED:
        raise ValidationError(NOT_SCHEDULED.format(status=locked.get_status_display().lower()))
    return locked


def _sync(trial: Trial, locked: Trial) -> Trial:
    trial.refresh_from_db()
    return locked


def _mark(*, trial: Trial, status: str, lead_status: str, by, at: datetime.datetime | None) -> Trial:
    at = at or timezone.now()
    with transaction.atomic():
        locked = _lock_scheduled(trial)
        if at < locked.starts_at:
            raise ValidationError(NOT_STARTED.format(start=f"{timezone.localtime(locked.starts_at):%d.%m.%Y %H:%M}"))
        locked.status = status
        locked.attendance_marked_at = at
        locked.save(update_fields=["status", "attendance_marked_at", "updated_at"])
        if locked.lead.status == LeadStatus.TRIAL_SCHEDULED:
            lead_change_status(
                lead=locked.lead,
                to_status=lead_status,
                by=by,
                at=at,
                note=gettext("Trial %(status)s") % {"status": locked.get_status_display().lower()},
            )
    return _sync(trial, locked)


def trial_mark_attended(*, trial: Trial, by, at: datetime.datetime | None = None) -> Trial:
    """After the start only; the lead moves to "trial attended"."""
    return _mark(trial=trial, status=TrialStatus.ATTENDED, lead_status=LeadStatus.TRIAL_ATTENDED, by=by, at=at)


def trial_mark_no_show(*, trial: Trial, by, at: datetime.datetime | None = None) -> Trial:
    """After the start only; the lead goes back to "interested" to be re-booked."""
    return _mark(trial=trial, status=TrialStatus.NO_SHOW, lead_status=LeadStatus.INTERESTED, by=by, at=at)


def trial_record_result(
    *,
    trial: Trial,
    result: str,
    by,
    lost_reason: str = "",
    mark_lost: bool = False,
    at: datetime.datetime | None = None,
) -> Trial:
    """Record the sales outcome of an attended trial.

    ``sales_offer``: the offer was made (pending → sales_offer).
    ``accepted``: the lead is enrolled into the trial's group and becomes "enrolled".
    ``rejected``: with ``mark_lost`` the lead becomes "lost" with ``lost_reason``.
    """
    at = at or timezone.now()
    if result not in (TrialResult.SALES_OFFER, TrialResult.ACCEPTED, TrialResult.REJECTED):
        raise ValidationError({"result": RESULT_UNKNOWN.format(value=result)})
    if mark_lost and not lost_reason.strip():
        raise ValidationError({"lost_reason": LOST_REASON_REQUIRED})
    with transaction.atomic():
        locked = _lock(trial)
        if locked.status != TrialStatus.ATTENDED:
            raise ValidationError({"result": NOT_ATTENDED.format(status=locked.get_status_display().lower())})
        if locked.result in (TrialResult.ACCEPTED, TrialResult.REJECTED):
            raise ValidationError({"result": RESULT_FINAL.format(result=locked.get_result_display().lower())})
        if locked.result == result:
            raise ValidationError({"result": RESULT_SAME.format(result=locked.get_result_display())})
        locked.result = result
        locked.result_recorded_at = at
        locked.save(update_fields=["result", "result_recorded_at", "updated_at"])
        lead = locked.lead
        if result == TrialResult.ACCEPTED:
            enrollment_create(
                group=locked.group,
                lead=lead,
                by=by,
                at=at,
                note=gettext("Accepted after trial #%(id)s") % {"id": locked.pk},
            )
            if lead.status != LeadStatus.ENROLLED:
                lead_change_status(
                    lead=lead,
                    to_status=LeadStatus.ENROLLED,
                    by=by,
                    at=at,
                    note=gettext("Enrolled into %(group)s after the trial") % {"group": locked.group},
                )
        elif result == TrialResult.REJECTED and mark_lost and lead.status != LeadStatus.LOST:
            lead_mark_lost(lead=lead, reason=lost_reason, by=by, at=at)
    return _sync(trial, locked)


def trial_cancel(*, trial: Trial, by, reason: str = "", at: datetime.datetime | None = None) -> Trial:
    """Cancel a scheduled trial; its reminders are dropped (pending deliveries
    are skipped) and the lead goes back to "interested"."""
    at = at or timezone.now()
    with transaction.atomic():
        locked = _lock_scheduled(trial)
        locked.status = TrialStatus.CANCELLED
        locked.cancelled_at = at
        locked.cancel_reason = reason.strip()[:255]
        locked.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
        TrialReminder.objects.filter(trial=locked).delete()
        if locked.lead.status == LeadStatus.TRIAL_SCHEDULED:
            lead_change_status(
                lead=locked.lead,
                to_status=LeadStatus.INTERESTED,
                by=by,
                at=at,
                note=(gettext("Trial cancelled: %(reason)s") % {"reason": reason.strip()})
                if reason.strip()
                else gettext("Trial cancelled"),
            )
    return _sync(trial, locked)


def trials_cancel_for_lost_lead(*, lead: Lead, by=None, reason: str = "", at: datetime.datetime | None = None) -> int:
    """Hook from leads.services: a lead that is lost keeps no scheduled trial, so
    its place in the lesson is freed and no reminder goes to it. The lead's
    status is left as it is (lost). Returns how many trials were cancelled."""
    note = gettext("Lead lost: %(reason)s") % {"reason": reason.strip()} if reason.strip() else gettext("Lead lost")
    cancelled = 0
    for trial in Trial.objects.filter(lead=lead, status=TrialStatus.SCHEDULED).order_by("pk"):
        trial_cancel(trial=trial, by=by, reason=note, at=at)
        cancelled += 1
    return cancelled


def trial_reschedule(
    *,
    trial: Trial,
    date: datetime.date,
    by,
    time: datetime.time | None = None,
    group: Group | None = None,
    at: datetime.datetime | None = None,
) -> Trial:
    """Move a scheduled trial to another lesson (same or another group); the
    reminders move with it and will be sent again for the new time."""
    at = at or timezone.now()
    with transaction.atomic():
        locked = _lock_scheduled(trial)
        target = Group.objects.select_for_update().get(pk=(group or locked.group).pk)
        time = time or (
            target.start_time if group is not None and group.pk != locked.group_id else locked.scheduled_time
        )
        trial_session_check(group=target, date=date, time=time, at=at, exclude=locked)
        locked.group = target
        locked.scheduled_date = date
        locked.scheduled_time = time
        locked.save(update_fields=["group", "scheduled_date", "scheduled_time", "updated_at"])
        pre, post = _reminder_times(locked)
        TrialReminder.objects.update_or_create(
            trial=locked,
            defaults={
                "pre_trial_reminder_scheduled_at": pre,
                "pre_trial_reminder_status": ReminderState.PENDING,
                "pre_trial_reminder_sent_at": None,
                "post_trial_reminder_scheduled_at": post,
                "post_trial_reminder_status": ReminderState.PENDING,
                "post_trial_reminder_sent_at": None,
            },
        )
    return _sync(trial, locked)
