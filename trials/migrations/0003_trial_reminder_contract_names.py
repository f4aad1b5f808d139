"""The REST API's names for a trial's reminders: pre_trial_reminder_* and
post_trial_reminder_* (scheduled_at, status, sent_at, sent). Renames keep every
stored value; the two ``*_sent`` booleans are computed by the database from the
status, so they cannot disagree with it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("trials", "0002_roles"),
    ]

    operations = [
        migrations.RenameField(
            model_name="trialreminder", old_name="pre_at", new_name="pre_trial_reminder_scheduled_at"
        ),
        migrations.RenameField(model_name="trialreminder", old_name="pre_state", new_name="pre_trial_reminder_status"),
        migrations.RenameField(
            model_name="trialreminder", old_name="pre_sent_at", new_name="pre_trial_reminder_sent_at"
        ),
        migrations.RenameField(
            model_name="trialreminder", old_name="post_at", new_name="post_trial_reminder_scheduled_at"
        ),
        migrations.RenameField(
            model_name="trialreminder", old_name="post_state", new_name="post_trial_reminder_status"
        ),
        migrations.RenameField(
            model_name="trialreminder", old_name="post_sent_at", new_name="post_trial_reminder_sent_at"
        ),
        migrations.AlterModelOptions(name="trialreminder", options={"ordering": ["pre_trial_reminder_scheduled_at"]}),
        migrations.AlterField(
            model_name="trialreminder",
            name="pre_trial_reminder_scheduled_at",
            field=models.DateTimeField(
                db_index=True,
                help_text="When the reminder before the trial is due (TRIAL_PRE_REMINDER_HOURS before the start).",
                verbose_name="pre-trial reminder scheduled at",
            ),
        ),
        migrations.AlterField(
            model_name="trialreminder",
            name="pre_trial_reminder_status",
            field=models.CharField(
                choices=[("pending", "Pending"), ("sent", "Sent"), ("skipped", "Skipped"), ("failed", "Failed")],
                default="pending",
                max_length=10,
                verbose_name="pre-trial reminder status",
            ),
        ),
        migrations.AlterField(
            model_name="trialreminder",
            name="pre_trial_reminder_sent_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="pre-trial reminder sent at"),
        ),
        migrations.AlterField(
            model_name="trialreminder",
            name="post_trial_reminder_scheduled_at",
            field=models.DateTimeField(
                db_index=True,
                help_text="When the reminder after the trial is due (TRIAL_POST_REMINDER_MINUTES after the end).",
                verbose_name="post-trial reminder scheduled at",
            ),
        ),
        migrations.AlterField(
            model_name="trialreminder",
            name="post_trial_reminder_status",
            field=models.CharField(
                choices=[("pending", "Pending"), ("sent", "Sent"), ("skipped", "Skipped"), ("failed", "Failed")],
                default="pending",
                max_length=10,
                verbose_name="post-trial reminder status",
            ),
        ),
        migrations.AlterField(
            model_name="trialreminder",
            name="post_trial_reminder_sent_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="post-trial reminder sent at"),
        ),
        migrations.AddField(
            model_name="trialreminder",
            name="pre_trial_reminder_sent",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Q(("pre_trial_reminder_status", "sent")),
                output_field=models.BooleanField(),
                verbose_name="pre-trial reminder sent",
            ),
        ),
        migrations.AddField(
            model_name="trialreminder",
            name="post_trial_reminder_sent",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Q(("post_trial_reminder_status", "sent")),
                output_field=models.BooleanField(),
                verbose_name="post-trial reminder sent",
            ),
        ),
    ]
