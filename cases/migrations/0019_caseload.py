"""The caseload's saved filters (per user) and the index of its keyset pages."""

import datetime

import django.db.models.deletion
import django.db.models.functions.comparison
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0017_remove_case_plan"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SavedCaseloadFilter",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=80, verbose_name="name")),
                ("query", models.CharField(blank=True, max_length=1000, verbose_name="filters")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="created"),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="saved_caseload_filters",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "saved caseload filter",
                "verbose_name_plural": "saved caseload filters",
                "ordering": ["name", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("user", "name"), name="saved_filter_one_name_per_user"
                    )
                ],
            },
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                models.F("municipality"),
                django.db.models.functions.comparison.Coalesce(
                    models.F("next_review_on"), models.Value(datetime.date(9999, 12, 31))
                ),
                models.F("reference"),
                name="case_caseload_keyset_idx",
            ),
        ),
    ]
