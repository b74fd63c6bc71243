import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models


def set_young(apps, schema_editor):
    """Flag the clients under 18 today (cases.age; the model's save does it from now on)."""
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    Client = apps.get_model("cases", "Client")
    for client in Client.objects.filter(birth_date__gte=datetime.date(today.year - 19, 1, 1)):
        before = (today.month, today.day) < (client.birth_date.month, client.birth_date.day)
        if today.year - client.birth_date.year - before < 18:
            Client.objects.filter(pk=client.pk).update(young=True)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0021_contact_person_removed"),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name="client",
            name="insert_insert",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="client",
            name="update_update",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="client",
            name="delete_delete",
        ),
        migrations.AddField(
            model_name="client",
            name="age_band",
            field=models.CharField(
                blank=True,
                choices=[
                    ("under_15", "under 15"),
                    ("15_17", "15–17"),
                    ("18_20", "18–20"),
                    ("21_25", "21–25"),
                    ("over_25", "26 or older"),
                ],
                max_length=10,
                verbose_name="age band",
            ),
        ),
        migrations.AddField(
            model_name="client",
            name="age_band_on",
            field=models.DateField(blank=True, null=True, verbose_name="age band given on"),
        ),
        migrations.AddField(
            model_name="client",
            name="young",
            field=models.BooleanField(
                db_index=True, default=False, editable=False, verbose_name="young"
            ),
        ),
        migrations.AddField(
            model_name="clienthistory",
            name="age_band",
            field=models.CharField(
                blank=True,
                choices=[
                    ("under_15", "under 15"),
                    ("15_17", "15–17"),
                    ("18_20", "18–20"),
                    ("21_25", "21–25"),
                    ("over_25", "26 or older"),
                ],
                max_length=10,
                verbose_name="age band",
            ),
        ),
        migrations.AddField(
            model_name="clienthistory",
            name="age_band_on",
            field=models.DateField(blank=True, null=True, verbose_name="age band given on"),
        ),
        migrations.AddField(
            model_name="clienthistory",
            name="young",
            field=models.BooleanField(default=False, editable=False, verbose_name="young"),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="client",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "cases_clienthistory" ("address", "age_band", "age_band_on", "birth_date", "created_at", "first_name", "id", "identity_number", "last_name", "municipality_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "protected_identity", "reserve_identity", "young") VALUES (NEW."address", NEW."age_band", NEW."age_band_on", NEW."birth_date", NEW."created_at", NEW."first_name", NEW."id", NEW."identity_number", NEW."last_name", NEW."municipality_id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."protected_identity", NEW."reserve_identity", NEW."young"); RETURN NULL;',
                    hash="0eabe0d432dc84067c2a73f93031f4ddc7aa9987",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_cd79a",
                    table="cases_client",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="client",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition='WHEN (OLD."address" IS DISTINCT FROM (NEW."address") OR OLD."age_band" IS DISTINCT FROM (NEW."age_band") OR OLD."age_band_on" IS DISTINCT FROM (NEW."age_band_on") OR OLD."birth_date" IS DISTINCT FROM (NEW."birth_date") OR OLD."created_at" IS DISTINCT FROM (NEW."created_at") OR OLD."first_name" IS DISTINCT FROM (NEW."first_name") OR OLD."id" IS DISTINCT FROM (NEW."id") OR OLD."identity_number" IS DISTINCT FROM (NEW."identity_number") OR OLD."last_name" IS DISTINCT FROM (NEW."last_name") OR OLD."municipality_id" IS DISTINCT FROM (NEW."municipality_id") OR OLD."protected_identity" IS DISTINCT FROM (NEW."protected_identity") OR OLD."reserve_identity" IS DISTINCT FROM (NEW."reserve_identity") OR OLD."young" IS DISTINCT FROM (NEW."young"))',
                    func='INSERT INTO "cases_clienthistory" ("address", "age_band", "age_band_on", "birth_date", "created_at", "first_name", "id", "identity_number", "last_name", "municipality_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "protected_identity", "reserve_identity", "young") VALUES (NEW."address", NEW."age_band", NEW."age_band_on", NEW."birth_date", NEW."created_at", NEW."first_name", NEW."id", NEW."identity_number", NEW."last_name", NEW."municipality_id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."protected_identity", NEW."reserve_identity", NEW."young"); RETURN NULL;',
                    hash="b7bf68d0d477a10b6447377ceb28848d0e50c6f1",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_8b7f5",
                    table="cases_client",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="client",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "cases_clienthistory" ("address", "age_band", "age_band_on", "birth_date", "created_at", "first_name", "id", "identity_number", "last_name", "municipality_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "protected_identity", "reserve_identity", "young") VALUES (OLD."address", OLD."age_band", OLD."age_band_on", OLD."birth_date", OLD."created_at", OLD."first_name", OLD."id", OLD."identity_number", OLD."last_name", OLD."municipality_id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."protected_identity", OLD."reserve_identity", OLD."young"); RETURN NULL;',
                    hash="89d54533c6d49d54e35c93dbc4271d662c867eb0",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_c1412",
                    table="cases_client",
                    when="AFTER",
                ),
            ),
        ),
        migrations.AddConstraint(
            model_name="client",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("age_band", ""), ("age_band_on__isnull", True)),
                    models.Q(
                        ("age_band_on__isnull", False),
                        ("birth_date__isnull", True),
                        models.Q(("age_band", ""), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="client_age_band_with_its_day_without_birth_date",
            ),
        ),
        migrations.RunPython(set_young, migrations.RunPython.noop),
    ]
