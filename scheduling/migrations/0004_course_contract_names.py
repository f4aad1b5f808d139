"""The REST API's names for a course's figures: duration (months), frequency
(lessons per week) and capacity (seats). Renames keep every stored value."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0003_timetable_proxy"),
    ]

    operations = [
        # The check constraints name the old columns: drop them first, rename,
        # then put them back on the new names.
        migrations.RemoveConstraint(model_name="course", name="course_default_capacity_positive"),
        migrations.RemoveConstraint(model_name="course", name="course_duration_positive"),
        migrations.RemoveConstraint(model_name="course", name="course_frequency_1_to_7"),
        migrations.RenameField(model_name="course", old_name="duration_months", new_name="duration"),
        migrations.RenameField(model_name="course", old_name="lessons_per_week", new_name="frequency"),
        migrations.RenameField(model_name="course", old_name="default_capacity", new_name="capacity"),
        migrations.AlterField(
            model_name="course",
            name="duration",
            field=models.PositiveSmallIntegerField(
                help_text="Length of the course, in months.", verbose_name="duration (months)"
            ),
        ),
        migrations.AlterField(
            model_name="course",
            name="frequency",
            field=models.PositiveSmallIntegerField(
                help_text="Lessons per week, 1 to 7.", verbose_name="frequency (lessons per week)"
            ),
        ),
        migrations.AlterField(
            model_name="course",
            name="capacity",
            field=models.PositiveSmallIntegerField(
                default=12,
                help_text="Seats; the default capacity of the course's new groups (capped at the room's).",
                verbose_name="capacity (seats)",
            ),
        ),
        migrations.AddConstraint(
            model_name="course",
            constraint=models.CheckConstraint(condition=models.Q(("capacity__gt", 0)), name="course_capacity_positive"),
        ),
        migrations.AddConstraint(
            model_name="course",
            constraint=models.CheckConstraint(condition=models.Q(("duration__gt", 0)), name="course_duration_positive"),
        ),
        migrations.AddConstraint(
            model_name="course",
            constraint=models.CheckConstraint(
                condition=models.Q(("frequency__gt", 0), ("frequency__lte", 7)), name="course_frequency_1_to_7"
            ),
        ),
    ]
