"""Journal entries become append-only in the database; codebooks and the first instrument."""

from django.db import migrations

from cases.codebooks import codebooks_load

FORBID_CHANGE = """
CREATE OR REPLACE FUNCTION exitprog_forbid_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""

# Row triggers stop UPDATE and DELETE. TRUNCATE is not blocked: the test suite flushes tables
# with it between browser tests; production's database role should lack TRUNCATE instead.
JOURNAL_TRIGGER = """
CREATE TRIGGER cases_journalentry_append_only
BEFORE UPDATE OR DELETE ON cases_journalentry
FOR EACH ROW EXECUTE FUNCTION exitprog_forbid_change();
"""

def load(apps, schema_editor):
    codebooks_load(apps)


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_consent_agencies_consent_case_consent_recorded_by_and_more")]

    operations = [
        migrations.RunSQL(FORBID_CHANGE, reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL(
            JOURNAL_TRIGGER,
            reverse_sql="DROP TRIGGER IF EXISTS cases_journalentry_append_only ON cases_journalentry;",
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
