"""The youth rules of each municipality (issue 12), with their history."""

import django.core.validators
import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_work_contact"),
        ("pghistory", "0007_auto_20250421_0444"),
    ]

    operations = [
        migrations.CreateModel(
            name="YouthRules",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "minimum_age",
                    models.PositiveSmallIntegerField(
                        default=15,
                        help_text="A client younger than this on the day of the intake decision cannot be accepted into the program; the youth path, with the child unit, is offered instead.",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(18),
                        ],
                        verbose_name="the program's minimum age",
                    ),
                ),
                (
                    "guardian_consent_for_interventions",
                    models.BooleanField(
                        default=True, verbose_name="guardians' consent needed for interventions"
                    ),
                ),
                (
                    "guardian_consent_for_sharing",
                    models.BooleanField(
                        default=True, verbose_name="guardians' consent needed for sharing"
                    ),
                ),
                (
                    "own_consent_age",
                    models.PositiveSmallIntegerField(
                        default=15,
                        help_text="From this age the young person's own consent suffices.",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(18),
                        ],
                        verbose_name="own consent suffices from the age of",
                    ),
                ),
                (
                    "child_unit_name",
                    models.CharField(blank=True, max_length=200, verbose_name="child unit"),
                ),
                (
                    "child_unit_phone",
                    models.CharField(blank=True, max_length=30, verbose_name="child unit's phone"),
                ),
                (
                    "child_unit_email",
                    models.EmailField(
                        blank=True, max_length=254, verbose_name="child unit's e-mail address"
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                (
                    "municipality",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="youth_rules",
                        to="accounts.municipality",
                        verbose_name="municipality",
                    ),
                ),
            ],
            options={
                "verbose_name": "youth rules",
                "verbose_name_plural": "youth rules",
            },
        ),
        migrations.CreateModel(
            name="YouthRulesHistory",
            fields=[
                ("pgh_id", models.AutoField(primary_key=True, serialize=False)),
                ("pgh_created_at", models.DateTimeField(auto_now_add=True)),
                ("pgh_label", models.TextField(help_text="The event label.")),
                ("id", models.BigIntegerField()),
                (
                    "minimum_age",
                    models.PositiveSmallIntegerField(
                        default=15,
                        help_text="A client younger than this on the day of the intake decision cannot be accepted into the program; the youth path, with the child unit, is offered instead.",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(18),
                        ],
                        verbose_name="the program's minimum age",
                    ),
                ),
                (
                    "guardian_consent_for_interventions",
                    models.BooleanField(
                        default=True, verbose_name="guardians' consent needed for interventions"
                    ),
                ),
                (
                    "guardian_consent_for_sharing",
                    models.BooleanField(
                        default=True, verbose_name="guardians' consent needed for sharing"
                    ),
                ),
                (
                    "own_consent_age",
                    models.PositiveSmallIntegerField(
                        default=15,
                        help_text="From this age the young person's own consent suffices.",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(18),
                        ],
                        verbose_name="own consent suffices from the age of",
                    ),
                ),
                (
                    "child_unit_name",
                    models.CharField(blank=True, max_length=200, verbose_name="child unit"),
                ),
                (
                    "child_unit_phone",
                    models.CharField(blank=True, max_length=30, verbose_name="child unit's phone"),
                ),
                (
                    "child_unit_email",
                    models.EmailField(
                        blank=True, max_length=254, verbose_name="child unit's e-mail address"
                    ),
                ),
                (
                    "municipality",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to="accounts.municipality",
                        verbose_name="municipality",
                    ),
                ),
                (
                    "pgh_context",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pghistory.context",
                    ),
                ),
                (
                    "pgh_obj",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="history",
                        to="accounts.youthrules",
                    ),
                ),
            ],
            options={
                "abstract": False,
            },
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="youthrules",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "accounts_youthruleshistory" ("child_unit_email", "child_unit_name", "child_unit_phone", "guardian_consent_for_interventions", "guardian_consent_for_sharing", "id", "minimum_age", "municipality_id", "own_consent_age", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id") VALUES (NEW."child_unit_email", NEW."child_unit_name", NEW."child_unit_phone", NEW."guardian_consent_for_interventions", NEW."guardian_consent_for_sharing", NEW."id", NEW."minimum_age", NEW."municipality_id", NEW."own_consent_age", _pgh_attach_context(), NOW(), \'insert\', NEW."id"); RETURN NULL;',
                    hash="b6baf6332010056ed0038d7192b2ed0b12ce7ce5",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_9091f",
                    table="accounts_youthrules",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="youthrules",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition='WHEN (OLD."child_unit_email" IS DISTINCT FROM (NEW."child_unit_email") OR OLD."child_unit_name" IS DISTINCT FROM (NEW."child_unit_name") OR OLD."child_unit_phone" IS DISTINCT FROM (NEW."child_unit_phone") OR OLD."guardian_consent_for_interventions" IS DISTINCT FROM (NEW."guardian_consent_for_interventions") OR OLD."guardian_consent_for_sharing" IS DISTINCT FROM (NEW."guardian_consent_for_sharing") OR OLD."id" IS DISTINCT FROM (NEW."id") OR OLD."minimum_age" IS DISTINCT FROM (NEW."minimum_age") OR OLD."municipality_id" IS DISTINCT FROM (NEW."municipality_id") OR OLD."own_consent_age" IS DISTINCT FROM (NEW."own_consent_age"))',
                    func='INSERT INTO "accounts_youthruleshistory" ("child_unit_email", "child_unit_name", "child_unit_phone", "guardian_consent_for_interventions", "guardian_consent_for_sharing", "id", "minimum_age", "municipality_id", "own_consent_age", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id") VALUES (NEW."child_unit_email", NEW."child_unit_name", NEW."child_unit_phone", NEW."guardian_consent_for_interventions", NEW."guardian_consent_for_sharing", NEW."id", NEW."minimum_age", NEW."municipality_id", NEW."own_consent_age", _pgh_attach_context(), NOW(), \'update\', NEW."id"); RETURN NULL;',
                    hash="a5315adbf64e6e8c02d67f3748330d6993e806c0",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_ad1f1",
                    table="accounts_youthrules",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="youthrules",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "accounts_youthruleshistory" ("child_unit_email", "child_unit_name", "child_unit_phone", "guardian_consent_for_interventions", "guardian_consent_for_sharing", "id", "minimum_age", "municipality_id", "own_consent_age", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id") VALUES (OLD."child_unit_email", OLD."child_unit_name", OLD."child_unit_phone", OLD."guardian_consent_for_interventions", OLD."guardian_consent_for_sharing", OLD."id", OLD."minimum_age", OLD."municipality_id", OLD."own_consent_age", _pgh_attach_context(), NOW(), \'delete\', OLD."id"); RETURN NULL;',
                    hash="861550a50a175c6012705e20d04bc2ef1c244fe1",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_bbfac",
                    table="accounts_youthrules",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="youthruleshistory",
            trigger=pgtrigger.compiler.Trigger(
                name="append_only",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;",
                    hash="4c7146ac69b9e84f9c0c2b4e0a13b086f2627e7f",
                    operation="UPDATE OR DELETE",
                    pgid="pgtrigger_append_only_29ddc",
                    table="accounts_youthruleshistory",
                    when="BEFORE",
                ),
            ),
        ),
    ]
