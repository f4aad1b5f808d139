from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from leads.phones import format_phone_display


class LeadSource(models.TextChoices):
    INSTAGRAM = "instagram", _("Instagram")
    TELEGRAM = "telegram", _("Telegram")
    WHATSAPP = "whatsapp", _("WhatsApp")
    CALL_TRACKING = "call_tracking", _("Call tracking")
    LANDING = "landing", _("Landing page")
    GOOGLE_SHEETS = "google_sheets", _("Google Sheets")
    EXCEL = "excel", _("Excel")
    CSV = "csv", _("CSV")


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    INTERESTED = "interested", _("Interested")
    TRIAL_SCHEDULED = "trial_scheduled", _("Trial scheduled")
    TRIAL_ATTENDED = "trial_attended", _("Trial attended")
    ENROLLED = "enrolled", _("Enrolled")
    LOST = "lost", _("Lost")


UNNAMED = _("Unnamed")


def centre_language() -> str:
    """The centre's default language (CRM_DEFAULT_LANGUAGE), for leads whose own is not known."""
    return settings.LANGUAGE_CODE


# How people and platforms name our languages: codes (Telegram's language_code,
# "ru-RU"), and the words an import column holds, in each language.
_LANGUAGE_WORDS = {
    "uz": ("uz", "uzb", "uzbek", "o'zbek", "o'zbekcha", "ozbek", "ozbekcha", "узбекский", "узбек", "ўзбек"),
    "ru": ("ru", "rus", "russian", "русский", "рус", "ruscha", "rus tili"),
    "en": ("en", "eng", "english", "английский", "inglizcha", "ingliz"),
}
_LANGUAGE_BY_WORD = {word: code for code, words in _LANGUAGE_WORDS.items() for word in words}


def language_from(value) -> str | None:
    """Our language code for ``value`` ("ru", "ru-RU", "Русский", "oʻzbekcha",
    "uz-Cyrl"), or None when it is none of ours (the caller keeps the centre's default)."""
    text = str(value or "").strip().lower()
    for apostrophe in ("\u02bb", "\u02bc", "\u2019", "\u2018", "`"):
        text = text.replace(apostrophe, "'")
    if not text:
        return None
    if text in _LANGUAGE_BY_WORD:
        return _LANGUAGE_BY_WORD[text]
    head = text.replace("_", "-").replace(" ", "-").split("-")[0]  # "ru-RU", "uz-Latn-UZ", "rus tili"
    code = _LANGUAGE_BY_WORD.get(head)
    return code if code and code in dict(settings.LANGUAGES) else None


class Lead(models.Model):
    """One person who asked about a course. One lead per normalised phone.

    Writes go through leads.services (creation, status changes, assignment),
    which keep LeadStatusChange complete for analytics.
    """

    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    # Unique, without the LIKE 'x%' copy of its index Django adds on PostgreSQL (dropped in
    # migration 0012: the trigram index serves that): an AlterField that changes the
    # column's type or uniqueness makes Django add it again.
    phone = models.CharField(_("phone"), max_length=20, unique=True, help_text=_("E.164, e.g. +998901234567"))
    phone_raw = models.CharField(
        _("phone as typed"), max_length=64, blank=True, help_text=_("The phone as it was typed or received.")
    )
    email = models.EmailField(_("email"), blank=True)
    search_text = models.CharField(
        _("search text"),
        max_length=500,
        blank=True,
        default="",
        editable=False,
        help_text=_("Name and e-mail as search compares them (leads/search.py)."),
    )
    source = models.CharField(_("source"), max_length=20, choices=LeadSource.choices)
    status = models.CharField(_("status"), max_length=20, choices=LeadStatus.choices, default=LeadStatus.NEW)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
        verbose_name=_("salesperson"),
        db_index=False,  # the salesperson indexes below begin with it (migration 0012)
    )
    course_interest = models.CharField(_("course asked about"), max_length=200, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    lost_reason = models.CharField(_("lost reason"), max_length=255, blank=True)

    # Campaign attribution (UTM from the landing page, ids from ad platforms).
    utm_source = models.CharField(_("UTM source"), max_length=100, blank=True)
    utm_medium = models.CharField(_("UTM medium"), max_length=100, blank=True)
    utm_campaign = models.CharField(_("UTM campaign"), max_length=200, blank=True)
    utm_content = models.CharField(_("UTM content"), max_length=200, blank=True)
    utm_term = models.CharField(_("UTM term"), max_length=200, blank=True)
    campaign_id = models.CharField(_("campaign id"), max_length=64, blank=True)
    ad_id = models.CharField(_("ad id"), max_length=64, blank=True)
    form_id = models.CharField(_("form id"), max_length=64, blank=True)

    # The language messages to this person are written in (reminders, replies, SMS).
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=centre_language,
        help_text=_(
            "Messages to the lead are written in this language: from the channel where it is known "
            "(Telegram, the landing form, an import column), else the centre's default."
        ),
    )

    # Channels we can write back to.
    telegram_chat_id = models.CharField(_("Telegram chat id"), max_length=32, blank=True)
    whatsapp_id = models.CharField(_("WhatsApp id"), max_length=32, blank=True)
    # Consent: set when the lead asks not to get SMS (reminders.sms skips them).
    sms_opt_out = models.BooleanField(
        _("no SMS"), default=False, help_text=_("The lead asked not to receive SMS; reminders skip them.")
    )

    # The deadline of the lead's open follow-up (reminders.LeadReminder), kept
    # here by leads.services.lead_note_next_followup so lists sort and filter
    # on an indexed column instead of a subquery per row.
    next_followup_at = models.DateTimeField(
        _("next follow-up"),
        null=True,
        blank=True,
        editable=False,
        # Indexed by lead_followup_order_idx (next_followup_at, created_at): a
        # single-column index beside it tempts the planner into sorting the
        # whole no-follow-up group when the list is sorted by follow-up.
        help_text=_("Contact deadline of the open follow-up (local time)."),
    )

    # Repeat inquiries from the same phone are recorded here and in LeadInquiry.
    inquiry_count = models.PositiveIntegerField(_("inquiry count"), default=1)
    last_inquiry_at = models.DateTimeField(_("last inquiry at"), null=True, blank=True)
    last_inquiry_source = models.CharField(
        _("last inquiry source"), max_length=20, choices=LeadSource.choices, blank=True
    )

    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True, editable=False)
    first_contacted_at = models.DateTimeField(_("first contacted at"), null=True, blank=True, editable=False)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["source", "created_at"]),
            # A salesperson's lead list in its default order (newest first).
            models.Index(fields=["assigned_to", "created_at"], name="lead_mine_newest_idx"),
            # A salesperson's list filtered or sorted by status or source: their
            # leads of one source can be none, and then walking the source index
            # past everyone else's leads finds nothing.
            models.Index(fields=["assigned_to", "status", "created_at"], name="lead_mine_status_idx"),
            models.Index(fields=["assigned_to", "source", "created_at"], name="lead_mine_source_idx"),
            # The list sorted by name, and by follow-up (then newest first).
            models.Index(fields=["full_name"], name="lead_name_order_idx"),
            models.Index(fields=["next_followup_at", "created_at"], name="lead_followup_order_idx"),
        ]
        # Search (leads.search) has trigram GIN indexes on PostgreSQL only, made
        # in migration 0010: search_text (the normalised name and e-mail) and phone.
        constraints = [
            models.CheckConstraint(condition=~models.Q(phone=""), name="lead_phone_not_empty"),
        ]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")

    def __str__(self):
        return f"{self.display_name} ({self.phone_display})"

    @property
    def display_name(self) -> str:
        """The name, or "Unnamed" for a lead that did not give one: the same word
        in every list, page and notification."""
        return self.full_name or str(UNNAMED)

    @property
    def phone_display(self) -> str:
        return format_phone_display(self.phone) if self.phone else ""


def lead_owner_field():
    """The salesperson of the row's lead, copied onto rows about a lead that a
    salesperson's lists filter (status changes, inquiries, trials, follow-ups,
    deliveries), so such a list is one walk of an index starting with it
    instead of "the row's lead is mine" tested row by row past everybody
    else's rows. Kept equal to ``Lead.assigned_to`` by leads.services: set
    when a row is written, and moved with the lead in the transaction that
    (re)assigns it (lead_assign / lead_unassign and their leads.hooks events).
    Never edited; only ``leads.selectors.rows_of_visible_leads`` reads it."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lead's salesperson"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        # Indexed by the composites (lead_owner, <filter>, <list order>) of each model.
        db_index=False,
    )


class LeadStatusChange(models.Model):
    """Complete history of a lead's status, the source of truth for analytics."""

    lead = models.ForeignKey(Lead, verbose_name=_("lead"), on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("from status"), max_length=20, choices=LeadStatus.choices, blank=True)
    to_status = models.CharField(_("to status"), max_length=20, choices=LeadStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), db_index=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    lead_owner = lead_owner_field()

    class Meta:
        ordering = ["changed_at", "id"]
        indexes = [
            models.Index(fields=["to_status", "changed_at"]),
            # A salesperson's list (newest first), and filtered or sorted by status.
            models.Index(fields=["lead_owner", "changed_at", "id"], name="statuschange_mine_idx"),
            models.Index(fields=["lead_owner", "to_status", "changed_at", "id"], name="statuschange_mine_to_idx"),
        ]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self):
        """Labels, not codes: "Trial attended → Enrolled" (a new lead's first row: "— → New")."""
        before = self.get_from_status_display() if self.from_status else "—"
        return f"{before} → {self.get_to_status_display()}"


class LeadInquiry(models.Model):
    """Each time a person reached us: the first inquiry and every repeat."""

    # Indexed by leadinquiry_on_record_idx below, which starts with the lead.
    lead = models.ForeignKey(
        Lead, verbose_name=_("lead"), on_delete=models.CASCADE, related_name="inquiries", db_index=False
    )
    source = models.CharField(_("source"), max_length=20, choices=LeadSource.choices)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    is_repeat = models.BooleanField(_("repeat"), default=False)
    note = models.CharField(_("note"), max_length=255, blank=True)
    fingerprint = models.CharField(
        _("fingerprint"),
        max_length=16,
        blank=True,
        default="",
        help_text=_("16 hex digits identifying the imported row (blank for inquiries not from an import)."),
    )
    lead_owner = lead_owner_field()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name_plural = _("inquiries")
        indexes = [
            # The import's duplicate check: what a lead has on record from one
            # source (times and fingerprints), read from the index alone.
            models.Index(fields=["lead", "source", "fingerprint", "received_at"], name="leadinquiry_on_record_idx"),
            # A salesperson's list (newest first), and filtered by source or repeat.
            models.Index(fields=["lead_owner", "received_at", "id"], name="leadinquiry_mine_idx"),
            models.Index(fields=["lead_owner", "source", "received_at", "id"], name="leadinquiry_mine_source_idx"),
            models.Index(fields=["lead_owner", "is_repeat", "received_at", "id"], name="leadinquiry_mine_repeat_idx"),
        ]
        verbose_name = _("inquiry")

    def __str__(self):
        return gettext("%(source)s at %(moment)s") % {
            "source": self.get_source_display(),
            "moment": f"{timezone.localtime(self.received_at):%d.%m.%Y %H:%M}",
        }
