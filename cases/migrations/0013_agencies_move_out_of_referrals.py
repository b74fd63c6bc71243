"""The foreign keys follow Agency to the agencies app; the database is unchanged."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('agencies', '0001_initial'),
        ('cases', '0012_client_municipality_required'),
    ]

    operations = [
      migrations.SeparateDatabaseAndState(database_operations=[], state_operations=[
        migrations.AlterField(
            model_name='case',
            name='source_agency',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='agencies.agency', verbose_name='referring agency'),
        ),
        migrations.RemoveField(
            model_name='consent',
            name='agencies',
        ),
        migrations.AlterField(
            model_name='intervention',
            name='provider',
            field=models.ForeignKey(blank=True, help_text="Leave empty when the program's own unit provides it.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='interventions', to='agencies.agency', verbose_name='provider'),
        ),
        migrations.AddField(
            model_name='consent',
            name='agencies',
            field=models.ManyToManyField(related_name='consents', to='agencies.agency', verbose_name='agencies'),
        ),
          ]),
    ]
