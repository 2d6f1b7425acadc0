# The hours each student bought and used, kept on the student so that lists filter and sort on the
# hours left (issue 13); the indexes of the caseload list, the renewal list and the phone search.

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models
from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

import students.indexes

HOURS = DecimalField(max_digits=9, decimal_places=1)


def fill_hours(apps, schema_editor):
    """Every student's hours from their contracts and done lessons, as students.services.hours_recount
    writes them from now on."""
    Student = apps.get_model("students", "Student")
    Contract = apps.get_model("students", "Contract")
    Lesson = apps.get_model("students", "Lesson")

    def total(rows):
        sums = rows.filter(student=OuterRef("pk")).order_by().values("student").annotate(total=Sum("hours"))
        return Coalesce(Subquery(sums.values("total")[:1], output_field=HOURS), Value(Decimal("0"), HOURS))

    bought, used = total(Contract.objects.all()), total(Lesson.objects.filter(status="done"))
    Student.objects.update(hours_bought=bought, hours_used=used, hours_left=bought - used)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_campus_post_lesson_talks_campus_renewal_threshold"),
        ("students", "0005_request_keys"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="student",
            name="hours_bought",
            field=models.DecimalField(
                db_default=Decimal("0"),
                decimal_places=1,
                default=Decimal("0"),
                editable=False,
                max_digits=9,
                verbose_name="hours bought",
            ),
        ),
        migrations.AddField(
            model_name="student",
            name="hours_used",
            field=models.DecimalField(
                db_default=Decimal("0"),
                decimal_places=1,
                default=Decimal("0"),
                editable=False,
                max_digits=9,
                verbose_name="hours used",
            ),
        ),
        migrations.AddField(
            model_name="student",
            name="hours_left",
            field=models.DecimalField(
                db_default=Decimal("0"),
                decimal_places=1,
                default=Decimal("0"),
                editable=False,
                max_digits=9,
                verbose_name="hours left",
            ),
        ),
        migrations.RunPython(fill_hours, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="student",
            constraint=models.CheckConstraint(
                condition=models.Q(hours_left=models.F("hours_bought") - models.F("hours_used")),
                name="student_hours_left_is_bought_less_used",
            ),
        ),
        TrigramExtension(),  # no-op on SQLite
        migrations.AddIndex(
            model_name="guardian",
            index=students.indexes.TrigramIndex(
                fields=["phone"], name="guardian_phone_trgm", opclasses=["gin_trgm_ops"]
            ),
        ),
        migrations.AddIndex(
            model_name="student",
            index=models.Index(fields=["full_name", "id"], name="student_name"),
        ),
        migrations.AddIndex(
            model_name="student",
            index=models.Index(fields=["campus", "full_name", "id"], name="student_campus_name"),
        ),
        migrations.AddIndex(
            model_name="student",
            index=models.Index(fields=["campus", "hours_left"], name="student_campus_hours"),
        ),
    ]
