"""The foreign keys follow Agency to the agencies app; the database is unchanged."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('agencies', '0001_initial'),
        ('cases', '0013_agencies_move_out_of_referrals'),
        ('referrals', '0002_sharing_transfers_referrals'),
    ]

    operations = [
      migrations.SeparateDatabaseAndState(database_operations=[], state_operations=[
        migrations.AlterField(
            model_name='referral',
            name='agency',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='referrals', to='agencies.agency', verbose_name='agency'),
        ),
        migrations.DeleteModel(
            name='Agency',
        ),
          ]),
    ]
