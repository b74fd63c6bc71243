"""Police notes are kept as written, like the journal (the trigger function is from 0004)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_sharing_transfers_referrals")]

    operations = [
        migrations.RunSQL(
            """
            CREATE TRIGGER cases_policenote_append_only
            BEFORE UPDATE OR DELETE ON cases_policenote
            FOR EACH ROW EXECUTE FUNCTION exitprog_forbid_change();
            """,
            reverse_sql="DROP TRIGGER IF EXISTS cases_policenote_append_only ON cases_policenote;",
        ),
    ]
