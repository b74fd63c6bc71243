"""Clients get a municipality (nullable until 0011 has filled it in) and a pseudonym."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_follow_ups"),
    ]

    operations = [
        migrations.AddField(
            model_name="client",
            name="municipality",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="clients",
                to="accounts.municipality",
                verbose_name="municipality",
            ),
        ),
        migrations.AddField(
            model_name="client",
            name="pseudonym",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=64),
        ),
    ]
