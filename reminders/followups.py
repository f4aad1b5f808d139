"""Follow-up reminders as a dispatcher source: an open LeadReminder past its
deadline notifies its salesperson, then again every REMINDER_REPEAT_MINUTES
until completed. Occurrence n is the n-th notification, so a worker that was
down for hours sends one catch-up notification, not one per missed interval."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from core.durations import duration_words
from reminders.models import OPEN_REMINDER_STATUSES, Delivery, DeliveryKind, LeadReminder, LeadReminderStatus
from reminders.sources import Message, ReminderSource, Skip, admin_link, build_delivery, staff_addresses

COMPLETED = "The follow-up was completed (the lead was contacted)."
REASSIGNED = "The lead's follow-up now belongs to another salesperson."
GONE = "The follow-up no longer exists."
UNASSIGNED = "The lead is no longer assigned to anybody."


def repeat_interval() -> timedelta:
    return timedelta(minutes=settings.REMINDER_REPEAT_MINUTES)


class FollowUpSource(ReminderSource):
    kinds = (DeliveryKind.FOLLOWUP_OVERDUE,)

    def due_deliveries(self, *, now: datetime):
        due = LeadReminder.objects.filter(status__in=OPEN_REMINDER_STATUSES, next_notify_at__lte=now).select_related(
            "salesperson"
        )
        for reminder in due.iterator(chunk_size=1000):  # streamed: a backlog is not held in memory
            occurrence = str(reminder.reminder_count + 1)
            for channel, address in staff_addresses(reminder.salesperson):
                yield build_delivery(
                    kind=DeliveryKind.FOLLOWUP_OVERDUE,
                    object_id=reminder.pk,
                    occurrence=occurrence,
                    channel=channel,
                    address=address,
                    due_at=reminder.next_notify_at,
                    lead_id=reminder.lead_id,
                    lead_owner_id=reminder.lead_owner_id,
                    recipient_user=reminder.salesperson,
                )

    def prepare(self, *, delivery: Delivery, now: datetime) -> Message | Skip:
        return self.prepare_batch(deliveries=[delivery], now=now)[0]

    def prepare_batch(self, *, deliveries, now: datetime) -> list[Message | Skip]:
        """The batch's follow-ups and their leads in one query."""
        reminders = LeadReminder.objects.select_related("lead").in_bulk({d.object_id for d in deliveries})
        return [self._message(delivery, reminders.get(delivery.object_id), now) for delivery in deliveries]

    def _message(self, delivery: Delivery, reminder: LeadReminder | None, now: datetime) -> Message | Skip:
        if reminder is None:
            return Skip(GONE)
        if reminder.status == LeadReminderStatus.COMPLETED:
            return Skip(COMPLETED)
        if reminder.salesperson_id != delivery.recipient_user_id:
            return Skip(REASSIGNED)
        lead = reminder.lead
        if lead.assigned_to_id is None:
            return Skip(UNASSIGNED)
        # Written in the salesperson's language: the dispatcher prepares under translation.override.
        late = duration_words(max(now - reminder.due_at, timedelta(0)))
        deadline = timezone.localtime(reminder.due_at)
        values = {
            "lead": lead.display_name,
            "phone": lead.phone_display,
            "late": late,
            "deadline": f"{deadline:%d.%m %H:%M}",
        }
        if reminder.kind == "first_contact":
            first = gettext("First contact with %(lead)s (%(phone)s) is %(late)s overdue (deadline %(deadline)s).")
        else:
            first = gettext("Follow-up with %(lead)s (%(phone)s) is %(late)s overdue (deadline %(deadline)s).")
        lines = [first % values]
        if reminder.note:
            lines.append(gettext("Note: %(note)s") % {"note": reminder.note})
        if int(delivery.occurrence) > 1:
            lines.append(gettext("Reminder #%(number)s.") % {"number": delivery.occurrence})
        link = admin_link(reverse("admin:leads_lead_change", args=[lead.pk]))
        lines.append(gettext("Record the contact: %(link)s") % {"link": link})
        subject = gettext("Overdue: contact %(lead)s") % {"lead": lead}
        return Message(subject=subject, text="\n".join(lines))

    def on_sent(self, *, delivery: Delivery, at: datetime) -> None:
        self.on_sent_batch(deliveries=[delivery], at=at)

    def on_sent_batch(self, *, deliveries, at: datetime) -> None:
        """One UPDATE per occurrence number (a backlog's batch has one or two),
        lowest first, as if the deliveries had been recorded one by one."""
        reminders_by_occurrence = defaultdict(set)
        for delivery in deliveries:
            reminders_by_occurrence[int(delivery.occurrence)].add(delivery.object_id)
        for occurrence, reminder_ids in sorted(reminders_by_occurrence.items()):
            # Conditional so the second channel of the same occurrence does not count twice.
            LeadReminder.objects.filter(
                pk__in=reminder_ids, status__in=OPEN_REMINDER_STATUSES, reminder_count__lt=occurrence
            ).update(
                reminder_count=occurrence,
                last_sent_at=at,
                status=LeadReminderStatus.SENT,
                next_notify_at=at + repeat_interval(),
            )

    def _postpone(self, delivery: Delivery, at: datetime) -> None:
        """Nothing reached the salesperson: try the next occurrence after one
        interval instead of re-building the same one every minute."""
        LeadReminder.objects.filter(
            pk=delivery.object_id,
            status__in=OPEN_REMINDER_STATUSES,
            reminder_count=int(delivery.occurrence) - 1,
            next_notify_at__lte=at,
        ).update(next_notify_at=at + repeat_interval())

    def on_skipped(self, *, delivery: Delivery, at: datetime, reason: str) -> None:
        self._postpone(delivery, at)

    def on_gave_up(self, *, delivery: Delivery, at: datetime) -> None:
        self._postpone(delivery, at)


source = FollowUpSource()
