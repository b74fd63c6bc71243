"""A case accepted on the youth path, with the child unit (issue 12)."""

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cases", "0022_client_age_band"), ("accounts", "0008_youth_rules")]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name="case",
            name="insert_insert",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="case",
            name="update_update",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="case",
            name="delete_delete",
        ),
        migrations.AddField(
            model_name="case",
            name="youth_path",
            field=models.BooleanField(default=False, verbose_name="youth path"),
        ),
        migrations.AddField(
            model_name="casehistory",
            name="youth_path",
            field=models.BooleanField(default=False, verbose_name="youth path"),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="case",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "cases_casehistory" ("closed_on", "created_by_id", "id", "municipality_id", "next_review_on", "opened_on", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reference", "source", "source_agency_id", "state", "youth_path") VALUES (NEW."closed_on", NEW."created_by_id", NEW."id", NEW."municipality_id", NEW."next_review_on", NEW."opened_on", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."reference", NEW."source", NEW."source_agency_id", NEW."state", NEW."youth_path"); RETURN NULL;',
                    hash="856a723360526e0866d614156fa5c2dba7631a42",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_0b483",
                    table="cases_case",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="case",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition='WHEN (OLD."closed_on" IS DISTINCT FROM (NEW."closed_on") OR OLD."created_by_id" IS DISTINCT FROM (NEW."created_by_id") OR OLD."id" IS DISTINCT FROM (NEW."id") OR OLD."municipality_id" IS DISTINCT FROM (NEW."municipality_id") OR OLD."next_review_on" IS DISTINCT FROM (NEW."next_review_on") OR OLD."opened_on" IS DISTINCT FROM (NEW."opened_on") OR OLD."reference" IS DISTINCT FROM (NEW."reference") OR OLD."source" IS DISTINCT FROM (NEW."source") OR OLD."source_agency_id" IS DISTINCT FROM (NEW."source_agency_id") OR OLD."state" IS DISTINCT FROM (NEW."state") OR OLD."youth_path" IS DISTINCT FROM (NEW."youth_path"))',
                    func='INSERT INTO "cases_casehistory" ("closed_on", "created_by_id", "id", "municipality_id", "next_review_on", "opened_on", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reference", "source", "source_agency_id", "state", "youth_path") VALUES (NEW."closed_on", NEW."created_by_id", NEW."id", NEW."municipality_id", NEW."next_review_on", NEW."opened_on", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."reference", NEW."source", NEW."source_agency_id", NEW."state", NEW."youth_path"); RETURN NULL;',
                    hash="4c496d47f6699c3b055a6413686506e693d9c68c",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_f5146",
                    table="cases_case",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="case",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "cases_casehistory" ("closed_on", "created_by_id", "id", "municipality_id", "next_review_on", "opened_on", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reference", "source", "source_agency_id", "state", "youth_path") VALUES (OLD."closed_on", OLD."created_by_id", OLD."id", OLD."municipality_id", OLD."next_review_on", OLD."opened_on", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."reference", OLD."source", OLD."source_agency_id", OLD."state", OLD."youth_path"); RETURN NULL;',
                    hash="f9e0fdf132653e06918181aeb79b7fd4ff0498e8",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_8d49e",
                    table="cases_case",
                    when="AFTER",
                ),
            ),
        ),
    ]
