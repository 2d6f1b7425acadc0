"""The company's figures kept per campus and day, so that a company-wide report adds up a few thousand
rows instead of reading a month of the company's deadlines and lessons (300,000 and more).

They are copies: reports.figures refreshes them from the records (hourly for the recent days, nightly
for the year), and a report reads them only for the days of `FigureSpan`; any other day, and today,
it counts from the records themselves.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Campus


class FigureSpan(models.Model):
    """Which days of one kind of figure are kept (from `first` to `last`), and when they were last
    refreshed. One row per kind, made by the migration."""

    kind = models.CharField(max_length=16, unique=True)
    first = models.DateField(null=True)
    last = models.DateField(null=True)
    refreshed_at = models.DateTimeField(null=True)

    def __str__(self):
        return f"{self.kind}: {self.first} – {self.last}"


class DeadlineDay(models.Model):
    """The punctuality figures (reports.selectors.Punctual) of one campus's deadlines of one rule due
    on one day."""

    day = models.DateField()
    campus = models.ForeignKey(Campus, on_delete=models.CASCADE, related_name="+")
    rule = models.CharField(max_length=8)
    due = models.PositiveIntegerField()
    on_time = models.PositiveIntegerField()
    escalated = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("deadlines of a day")
        constraints = [
            # The refresh writes each day once; the reports read a range of days (the leading column).
            models.UniqueConstraint(fields=["day", "campus", "rule"], name="deadline_day_once"),
        ]

    def __str__(self):
        return f"{self.day} {self.rule}: {self.on_time}/{self.due}"


class LessonDay(models.Model):
    """The class hours taught (lessons marked done) on one day to the students of one campus."""

    day = models.DateField()
    campus = models.ForeignKey(Campus, on_delete=models.CASCADE, related_name="+")
    hours = models.DecimalField(max_digits=12, decimal_places=1)
    lessons = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("lessons of a day")
        constraints = [models.UniqueConstraint(fields=["day", "campus"], name="lesson_day_once")]

    def __str__(self):
        return f"{self.day}: {self.hours}"


class RenewalDay(models.Model):
    """The students of one campus who reached the renewal threshold on one day (R1 opened), by what
    their families answered since (reports.selectors.threshold_reached)."""

    day = models.DateField()
    campus = models.ForeignKey(Campus, on_delete=models.CASCADE, related_name="+")
    answer = models.CharField(max_length=10)
    reason = models.CharField(max_length=20, blank=True)
    students = models.PositiveIntegerField()
    hours = models.DecimalField(max_digits=12, decimal_places=1)
    amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("renewals of a day")
        constraints = [
            models.UniqueConstraint(fields=["day", "campus", "answer", "reason"], name="renewal_day_once")
        ]

    def __str__(self):
        return f"{self.day} {self.answer}: {self.students}"
