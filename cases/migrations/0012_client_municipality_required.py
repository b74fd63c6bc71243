"""Every client belongs to a municipality, once per identity number, and a case's client
belongs to the case's municipality.

The last guarantee spans two tables, so no CHECK can hold it: a composite foreign key from
cases_case (client_id, municipality_id) to cases_client (id, municipality_id) does, checked
at once (not deferred), on insert and on update of either side (a client cannot be moved to
another municipality while a case of the old one points at it).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0011_client_split_by_municipality"),
    ]

    operations = [
        migrations.AlterField(
            model_name="client",
            name="municipality",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="clients",
                to="accounts.municipality",
                verbose_name="municipality",
            ),
        ),
        migrations.AddConstraint(
            model_name="client",
            constraint=models.UniqueConstraint(
                condition=models.Q(("identity_number", ""), _negated=True),
                fields=("municipality", "identity_number"),
                name="client_one_per_number_and_municipality",
            ),
        ),
        migrations.AddConstraint(
            model_name="client",
            constraint=models.UniqueConstraint(
                fields=("id", "municipality"), name="client_id_municipality_key"
            ),
        ),
        migrations.RunSQL(
            sql=(
                "ALTER TABLE cases_case ADD CONSTRAINT case_client_of_same_municipality "
                "FOREIGN KEY (client_id, municipality_id) "
                "REFERENCES cases_client (id, municipality_id) NOT DEFERRABLE"
            ),
            reverse_sql=("ALTER TABLE cases_case DROP CONSTRAINT case_client_of_same_municipality"),
        ),
    ]
