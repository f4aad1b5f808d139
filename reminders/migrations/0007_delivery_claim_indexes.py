# The dispatcher's claim reads these partial indexes in order (issue 14 §2).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reminders", "0006_sms_channel_and_message_templates"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="delivery",
            index=models.Index(
                condition=models.Q(("status__in", ["pending", "failed"])),
                fields=["next_attempt_at", "id"],
                name="delivery_due",
            ),
        ),
        migrations.AddIndex(
            model_name="delivery",
            index=models.Index(
                condition=models.Q(("status", "sending")), fields=["claimed_at", "id"], name="delivery_sending"
            ),
        ),
    ]
