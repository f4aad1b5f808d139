"""Trial reminders as a dispatcher source (see reminders.sources).

Before the trial (TRIAL_PRE_REMINDER_HOURS before the start): the lead by
Telegram when we have their chat, else by SMS (both with SMS_BOTH_CHANNELS;
an SMS due in quiet hours goes out at 20:45 the evening before, see
reminders.sms), in the lead's language (reminders.templates); and always the
salesperson. After the trial
(TRIAL_POST_REMINDER_MINUTES after the end): the salesperson, to record
attendance and make the offer. The occurrence of every delivery is the
trial's start, so a rescheduled trial gets new messages and the old ones are
skipped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from core.gsm import sms_text
from reminders import sms
from reminders.models import Channel, Delivery, DeliveryKind, MessageKind
from reminders.sources import Message, ReminderSource, Skip, admin_link, build_delivery, staff_addresses
from reminders.templates import message_render, template_rows
from trials.models import ReminderState, Trial, TrialReminder, TrialResult, TrialStatus

GONE = "The trial no longer exists."
CANCELLED = "The trial was cancelled."
RESCHEDULED = "The trial was rescheduled; a reminder for the new time replaces this one."
STARTED = "The trial has already started."
NOT_SCHEDULED = "The trial is no longer scheduled ({status})."
NO_SHOW = "The lead did not come to the trial."
RESULT_RECORDED = "The trial's result is already recorded."

PRE_KINDS = (DeliveryKind.TRIAL_PRE_LEAD, DeliveryKind.TRIAL_PRE_SALES)
LEAD_MESSAGE_KINDS = (MessageKind.TRIAL_PRE_LEAD_SMS, MessageKind.TRIAL_PRE_LEAD_TELEGRAM)
# What the messages read of a trial, loaded with it.
TRIAL_RELATED = ("lead", "group", "group__room", "group__course")
# Quiet hours are 11 hours long: an SMS can be brought forward by at most that.
SMS_LOOKAHEAD = timedelta(hours=11)


def occurrence_for(trial: Trial) -> str:
    return timezone.localtime(trial.starts_at).strftime("%Y%m%dT%H%M")


def salesperson_for(trial: Trial):
    return trial.lead.assigned_to or trial.booked_by


class TrialReminderSource(ReminderSource):
    kinds = (DeliveryKind.TRIAL_PRE_LEAD, DeliveryKind.TRIAL_PRE_SALES, DeliveryKind.TRIAL_POST_SALES)

    def due_deliveries(self, *, now: datetime):
        related = ("trial__lead__assigned_to", "trial__booked_by", "trial__group")
        pre = TrialReminder.objects.filter(
            pre_trial_reminder_status=ReminderState.PENDING, pre_trial_reminder_scheduled_at__lte=now
        ).select_related(*related)
        for reminder in pre.iterator(chunk_size=1000):  # streamed: a backlog is not held in memory
            trial = reminder.trial
            occurrence = occurrence_for(trial)
            if trial.lead.telegram_chat_id:
                yield build_delivery(
                    kind=DeliveryKind.TRIAL_PRE_LEAD,
                    object_id=trial.pk,
                    occurrence=occurrence,
                    channel=Channel.TELEGRAM,
                    address=trial.lead.telegram_chat_id,
                    due_at=reminder.pre_trial_reminder_scheduled_at,
                    lead_id=trial.lead_id,
                    lead_owner_id=trial.lead_owner_id,
                )
            yield from self._sms_to_lead(reminder, occurrence, now)
            yield from self._to_salesperson(
                DeliveryKind.TRIAL_PRE_SALES, trial, occurrence, reminder.pre_trial_reminder_scheduled_at
            )
        if sms.sms_enabled():
            # SMS brought forward out of quiet hours fall due before their reminder does.
            early = TrialReminder.objects.filter(
                pre_trial_reminder_status=ReminderState.PENDING,
                pre_trial_reminder_scheduled_at__gt=now,
                pre_trial_reminder_scheduled_at__lte=now + SMS_LOOKAHEAD,
            ).select_related("trial__lead")
            for reminder in early:
                yield from self._sms_to_lead(reminder, occurrence_for(reminder.trial), now)
        post = TrialReminder.objects.filter(
            post_trial_reminder_status=ReminderState.PENDING, post_trial_reminder_scheduled_at__lte=now
        ).select_related(*related)
        for reminder in post.iterator(chunk_size=1000):
            trial = reminder.trial
            yield from self._to_salesperson(
                DeliveryKind.TRIAL_POST_SALES, trial, occurrence_for(trial), reminder.post_trial_reminder_scheduled_at
            )

    def _sms_to_lead(self, reminder: TrialReminder, occurrence: str, now: datetime):
        """The lead's pre-trial SMS when they have no Telegram chat (or always,
        with SMS_BOTH_CHANNELS), due at the reminder's time moved out of quiet hours."""
        lead = reminder.trial.lead
        if not sms.sms_enabled() or (lead.telegram_chat_id and not settings.SMS_BOTH_CHANNELS):
            return
        due_at = sms.sms_send_time(reminder.pre_trial_reminder_scheduled_at)
        if due_at > now:
            return
        yield build_delivery(
            kind=DeliveryKind.TRIAL_PRE_LEAD,
            object_id=reminder.trial_id,
            occurrence=occurrence,
            channel=Channel.SMS,
            address=lead.phone,
            due_at=due_at,
            lead_id=lead.pk,
            lead_owner_id=reminder.trial.lead_owner_id,
        )

    def _to_salesperson(self, kind, trial, occurrence, due_at):
        person = salesperson_for(trial)
        if person is None:
            return
        for channel, address in staff_addresses(person):
            yield build_delivery(
                kind=kind,
                object_id=trial.pk,
                occurrence=occurrence,
                channel=channel,
                address=address,
                due_at=due_at,
                lead_id=trial.lead_id,
                lead_owner_id=trial.lead_owner_id,
                recipient_user=person,
            )

    def prepare(self, *, delivery: Delivery, now: datetime) -> Message | Skip:
        """One delivery on its own (a single send, or a batch retried row by
        row): its trial in one query and, for a text to the lead, its template in another."""
        trial = Trial.objects.select_related(*TRIAL_RELATED).filter(pk=delivery.object_id).first()
        return self._message(delivery, trial, now, templates=None)

    def prepare_batch(self, *, deliveries: Sequence[Delivery], now: datetime) -> list[Message | Skip]:
        """The batch's trials with their leads, groups, rooms and courses in one
        query and, when it has texts to leads, their templates (every language)
        in one more; then the same rules as ``prepare``, row by row."""
        trials = Trial.objects.select_related(*TRIAL_RELATED).in_bulk({d.object_id for d in deliveries})
        to_leads = any(d.kind == DeliveryKind.TRIAL_PRE_LEAD for d in deliveries)
        templates = template_rows(kinds=LEAD_MESSAGE_KINDS) if to_leads else None
        return [self._message(d, trials.get(d.object_id), now, templates) for d in deliveries]

    def _message(
        self, delivery: Delivery, trial: Trial | None, now: datetime, templates: dict[str, dict[str, str]] | None
    ) -> Message | Skip:
        """``templates``: the saved texts to leads (``template_rows``), or None
        to read the one needed."""
        if trial is None:
            return Skip(GONE)
        if trial.status == TrialStatus.CANCELLED:
            return Skip(CANCELLED)
        if occurrence_for(trial) != delivery.occurrence:
            return Skip(RESCHEDULED)
        if delivery.kind in PRE_KINDS:
            if trial.status != TrialStatus.SCHEDULED:
                return Skip(NOT_SCHEDULED.format(status=trial.get_status_display().lower()))
            if now >= trial.starts_at:
                return Skip(STARTED)
            return self._pre_message(delivery, trial, now, templates)
        if trial.status == TrialStatus.NO_SHOW:
            return Skip(NO_SHOW)
        if trial.result != TrialResult.PENDING:
            return Skip(RESULT_RECORDED)
        return self._post_message(trial)

    def _pre_message(
        self, delivery: Delivery, trial: Trial, now: datetime, templates: dict[str, dict[str, str]] | None
    ) -> Message:
        start = timezone.localtime(trial.starts_at)
        group = trial.group
        times = {"date": f"{start:%d.%m}", "time": f"{start:%H:%M}"}
        # Staff texts in the salesperson's language (the dispatcher prepares under translation.override).
        when = (
            gettext("today at %(time)s") % times
            if start.date() == timezone.localdate(now)
            else gettext("on %(date)s at %(time)s") % times
        )
        place = group.room.name + (f", {group.room.location}" if group.room.location else "")
        if delivery.kind == DeliveryKind.TRIAL_PRE_LEAD:
            sms_kind, telegram_kind = MessageKind.TRIAL_PRE_LEAD_SMS, MessageKind.TRIAL_PRE_LEAD_TELEGRAM
            kind = sms_kind if delivery.channel == Channel.SMS else telegram_kind
            context = {
                "name": trial.lead.full_name.split(" ")[0] if trial.lead.full_name else "",
                "course": group.course.name,
                "date": f"{start:%d.%m}",
                "time": f"{start:%H:%M}",
                "place": place,
            }
            rows = templates[kind] if templates is not None else None
            text = message_render(kind=kind, language=trial.lead.language, context=context, rows=rows)
            # Kept on the delivery as sent: an SMS with GSM-7 apostrophes.
            return Message(subject="", text=sms_text(text) if delivery.channel == Channel.SMS else text)
        values = {
            "when": when,
            "lead": trial.lead.display_name,
            "phone": trial.lead.phone_display,
            "group": group.name,
            "place": place,
        }
        link = admin_link(reverse("admin:trials_trial_change", args=[trial.pk]))
        return Message(
            subject=gettext("Trial %(when)s: %(lead)s") % {**values, "lead": trial.lead},
            text=gettext(
                "%(lead)s (%(phone)s) has a trial lesson in %(group)s %(when)s, room %(place)s. "
                "Call to confirm they are coming."
            )
            % values
            + f"\n{link}",
        )

    def _post_message(self, trial: Trial) -> Message:
        end = timezone.localtime(trial.ends_at)
        values = {
            "lead": trial.lead.display_name,
            "phone": trial.lead.phone_display,
            "group": trial.group.name,
            "end": f"{end:%H:%M}",
        }
        link = admin_link(reverse("admin:trials_trial_change", args=[trial.pk]))
        return Message(
            subject=gettext("Trial ended: %(lead)s — record attendance and make the offer") % {"lead": trial.lead},
            text=gettext(
                "The trial of %(lead)s (%(phone)s) in %(group)s ended at %(end)s. "
                "Record attendance and make the offer now."
            )
            % values
            + f"\n{link}",
        )

    # --- bookkeeping on TrialReminder, only for the current occurrence --------------

    def _fields(self, delivery: Delivery) -> tuple[str, str, str]:
        if delivery.kind in PRE_KINDS:
            return "pre_trial_reminder_scheduled_at", "pre_trial_reminder_status", "pre_trial_reminder_sent_at"
        return "post_trial_reminder_scheduled_at", "post_trial_reminder_status", "post_trial_reminder_sent_at"

    def on_sent(self, *, delivery: Delivery, at: datetime) -> None:
        at_field, state_field, sent_field = self._fields(delivery)
        TrialReminder.objects.filter(**{"trial_id": delivery.object_id, at_field: delivery.due_at}).exclude(
            **{state_field: ReminderState.SENT}
        ).update(**{state_field: ReminderState.SENT, sent_field: at})

    def on_sent_batch(self, *, deliveries: Sequence[Delivery], at: datetime) -> None:
        """``on_sent`` for a batch: one UPDATE per flag (before, after the
        trial), over the batch's trials whose reminder is still due at their
        delivery's time. An SMS brought forward out of quiet hours matches none,
        as row by row: the reminder counts as sent by its other messages."""
        due: dict[tuple[str, str, str], dict[datetime, set[int]]] = defaultdict(lambda: defaultdict(set))
        for delivery in deliveries:
            due[self._fields(delivery)][delivery.due_at].add(delivery.object_id)
        for (at_field, state_field, sent_field), trials_by_time in due.items():
            current = Q()
            for due_at, trial_ids in trials_by_time.items():
                current |= Q(**{at_field: due_at, "trial_id__in": sorted(trial_ids)})
            TrialReminder.objects.filter(current).exclude(**{state_field: ReminderState.SENT}).update(
                **{state_field: ReminderState.SENT, sent_field: at}
            )

    def _settle(self, delivery: Delivery, state: str) -> None:
        at_field, state_field, _ = self._fields(delivery)
        TrialReminder.objects.filter(
            **{"trial_id": delivery.object_id, at_field: delivery.due_at, state_field: ReminderState.PENDING}
        ).update(**{state_field: state})

    def on_skipped(self, *, delivery: Delivery, at: datetime, reason: str) -> None:
        self._settle(delivery, ReminderState.SKIPPED)

    def on_gave_up(self, *, delivery: Delivery, at: datetime) -> None:
        self._settle(delivery, ReminderState.FAILED)


source = TrialReminderSource()
