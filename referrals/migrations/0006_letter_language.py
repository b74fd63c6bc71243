import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0005_append_only_and_history"),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name="referral",
            name="insert_insert",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="referral",
            name="update_update",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="referral",
            name="delete_delete",
        ),
        migrations.AddField(
            model_name="referral",
            name="letter_language",
            field=models.CharField(
                choices=[("sv", "Swedish"), ("en", "English")],
                default="sv",
                max_length=2,
                verbose_name="language of the letter",
            ),
        ),
        migrations.AddField(
            model_name="referralevent",
            name="without_consent",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="referralhistory",
            name="letter_language",
            field=models.CharField(
                choices=[("sv", "Swedish"), ("en", "English")],
                default="sv",
                max_length=2,
                verbose_name="language of the letter",
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="referral",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "referrals_referralhistory" ("accepted_at", "acknowledged_at", "agency_id", "answer_note", "case_id", "completed_at", "created_at", "created_by_id", "declined_at", "direction", "id", "letter_language", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "purpose", "sent_at", "started_at", "state", "withdrawn_at") VALUES (NEW."accepted_at", NEW."acknowledged_at", NEW."agency_id", NEW."answer_note", NEW."case_id", NEW."completed_at", NEW."created_at", NEW."created_by_id", NEW."declined_at", NEW."direction", NEW."id", NEW."letter_language", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."purpose", NEW."sent_at", NEW."started_at", NEW."state", NEW."withdrawn_at"); RETURN NULL;',
                    hash="ec7878ef4087d8b27510add58defefc1af2cb515",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_a74c8",
                    table="referrals_referral",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="referral",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition='WHEN (OLD."accepted_at" IS DISTINCT FROM (NEW."accepted_at") OR OLD."acknowledged_at" IS DISTINCT FROM (NEW."acknowledged_at") OR OLD."agency_id" IS DISTINCT FROM (NEW."agency_id") OR OLD."answer_note" IS DISTINCT FROM (NEW."answer_note") OR OLD."case_id" IS DISTINCT FROM (NEW."case_id") OR OLD."completed_at" IS DISTINCT FROM (NEW."completed_at") OR OLD."created_at" IS DISTINCT FROM (NEW."created_at") OR OLD."created_by_id" IS DISTINCT FROM (NEW."created_by_id") OR OLD."declined_at" IS DISTINCT FROM (NEW."declined_at") OR OLD."direction" IS DISTINCT FROM (NEW."direction") OR OLD."id" IS DISTINCT FROM (NEW."id") OR OLD."letter_language" IS DISTINCT FROM (NEW."letter_language") OR OLD."purpose" IS DISTINCT FROM (NEW."purpose") OR OLD."sent_at" IS DISTINCT FROM (NEW."sent_at") OR OLD."started_at" IS DISTINCT FROM (NEW."started_at") OR OLD."state" IS DISTINCT FROM (NEW."state") OR OLD."withdrawn_at" IS DISTINCT FROM (NEW."withdrawn_at"))',
                    func='INSERT INTO "referrals_referralhistory" ("accepted_at", "acknowledged_at", "agency_id", "answer_note", "case_id", "completed_at", "created_at", "created_by_id", "declined_at", "direction", "id", "letter_language", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "purpose", "sent_at", "started_at", "state", "withdrawn_at") VALUES (NEW."accepted_at", NEW."acknowledged_at", NEW."agency_id", NEW."answer_note", NEW."case_id", NEW."completed_at", NEW."created_at", NEW."created_by_id", NEW."declined_at", NEW."direction", NEW."id", NEW."letter_language", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."purpose", NEW."sent_at", NEW."started_at", NEW."state", NEW."withdrawn_at"); RETURN NULL;',
                    hash="02edebd6b3491784491f09af4f895b6637cc0f2c",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_223e7",
                    table="referrals_referral",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="referral",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "referrals_referralhistory" ("accepted_at", "acknowledged_at", "agency_id", "answer_note", "case_id", "completed_at", "created_at", "created_by_id", "declined_at", "direction", "id", "letter_language", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "purpose", "sent_at", "started_at", "state", "withdrawn_at") VALUES (OLD."accepted_at", OLD."acknowledged_at", OLD."agency_id", OLD."answer_note", OLD."case_id", OLD."completed_at", OLD."created_at", OLD."created_by_id", OLD."declined_at", OLD."direction", OLD."id", OLD."letter_language", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."purpose", OLD."sent_at", OLD."started_at", OLD."state", OLD."withdrawn_at"); RETURN NULL;',
                    hash="81b71a5368060dc272da54bacfd443970a71a108",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_e24da",
                    table="referrals_referral",
                    when="AFTER",
                ),
            ),
        ),
    ]
