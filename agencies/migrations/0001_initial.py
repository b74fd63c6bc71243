"""Agencies move out of the referrals app, below cases and referrals (no table changes).

The table keeps its name (referrals_agency); only Django's idea of which app owns the model
changes, and the content type follows so that permissions granted on agencies still hold.
"""

import django.db.models.deletion
from django.db import migrations, models


def content_type_follows(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="referrals", model="agency").update(app_label="agencies")


def content_type_goes_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="agencies", model="agency").update(app_label="referrals")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0004_role_grants_and_separation_of_duties'),
        ('referrals', '0002_sharing_transfers_referrals'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
      migrations.SeparateDatabaseAndState(database_operations=[], state_operations=[
        migrations.CreateModel(
            name='Agency',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200, unique=True, verbose_name='name')),
                ('kind', models.CharField(choices=[('police', 'Police region'), ('prison_probation', 'Prison and Probation Service'), ('employment', 'Public Employment Service'), ('social_insurance', 'Social Insurance Agency'), ('enforcement', 'Enforcement Authority'), ('psychiatry', 'Regional psychiatry'), ('addiction_care', 'Addiction care'), ('housing', 'Housing company'), ('ngo', 'Non-governmental provider'), ('social_services', 'Social services of a municipality'), ('other', 'Other')], max_length=30, verbose_name='kind')),
                ('active', models.BooleanField(default=True, verbose_name='active')),
                ('municipality', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='agencies', to='accounts.municipality', verbose_name='municipality')),
                ('police_region', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='agencies', to='accounts.policeregion', verbose_name='police region')),
            ],
            options={
                'verbose_name': 'agency',
                'verbose_name_plural': 'agencies',
                'db_table': 'referrals_agency',
                'ordering': ['name'],
            },
        ),
          ]),
        migrations.RunPython(content_type_follows, content_type_goes_back),
    ]
