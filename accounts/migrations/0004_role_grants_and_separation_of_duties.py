"""Role grants are recorded, and the database keeps administrators out of case roles.

The trigger on the user-group table is the last line of separation of duties: whatever
writes a membership (the role service, the admin, a shell, raw SQL), an account never holds
the administrator role together with a role that reads cases. It locks the user's row, so
two memberships written at once are checked one after the other.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


CASE_ROLES = "('caseworker', 'manager', 'police_liaison')"

SEPARATION_OF_DUTIES = f"""
CREATE FUNCTION accounts_separation_of_duties() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    new_role text;
BEGIN
    SELECT role INTO new_role FROM accounts_rolegroup WHERE group_id = NEW.group_id;
    IF new_role IS NULL THEN
        RETURN NEW;
    END IF;
    PERFORM 1 FROM accounts_user WHERE id = NEW.user_id FOR UPDATE;
    IF (new_role = 'administrator' AND EXISTS (
            SELECT 1 FROM accounts_user_groups ug
            JOIN accounts_rolegroup rg ON rg.group_id = ug.group_id
            WHERE ug.user_id = NEW.user_id AND rg.role IN {CASE_ROLES}))
       OR (new_role IN {CASE_ROLES} AND EXISTS (
            SELECT 1 FROM accounts_user_groups ug
            JOIN accounts_rolegroup rg ON rg.group_id = ug.group_id
            WHERE ug.user_id = NEW.user_id AND rg.role = 'administrator'))
    THEN
        RAISE EXCEPTION 'separation of duties: user % cannot hold % with this account''s roles',
            NEW.user_id, new_role USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER accounts_separation_of_duties
    BEFORE INSERT OR UPDATE ON accounts_user_groups
    FOR EACH ROW EXECUTE FUNCTION accounts_separation_of_duties();
"""

DROP_SEPARATION_OF_DUTIES = """
DROP TRIGGER IF EXISTS accounts_separation_of_duties ON accounts_user_groups;
DROP FUNCTION IF EXISTS accounts_separation_of_duties();
"""


def record_current_memberships(apps, schema_editor):
    """Each role held before grants were recorded gets a grant, by nobody known."""
    RoleGroup = apps.get_model("accounts", "RoleGroup")
    RoleGrant = apps.get_model("accounts", "RoleGrant")
    User = apps.get_model("accounts", "User")
    grants = []
    for role_group in RoleGroup.objects.all():
        for user in User.objects.filter(groups=role_group.group_id):
            grants.append(RoleGrant(user=user, role_group=role_group, granted_at=user.date_joined))
    RoleGrant.objects.bulk_create(grants)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_case_report_cadence'),
    ]

    operations = [
        migrations.AddField(
            model_name='user',
            name='must_change_password',
            field=models.BooleanField(default=False, help_text='Set by an administrator; cleared when the user sets a new password.', verbose_name='must change password at next login'),
        ),
        migrations.CreateModel(
            name='RoleGrant',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('granted_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='granted')),
                ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked')),
                ('granted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='granted by')),
                ('revoked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='revoked by')),
                ('role_group', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='grants', to='accounts.rolegroup', verbose_name='role')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='role_grants', to=settings.AUTH_USER_MODEL, verbose_name='user')),
            ],
            options={
                'verbose_name': 'role grant',
                'verbose_name_plural': 'role grants',
                'ordering': ['-granted_at'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('revoked_at__isnull', True)), fields=('user', 'role_group'), name='one_current_grant_per_user_and_role'), models.CheckConstraint(condition=models.Q(('revoked_at__isnull', True), ('revoked_at__gte', models.F('granted_at')), _connector='OR'), name='role_grant_revoked_after_granted')],
            },
        ),
        migrations.RunPython(record_current_memberships, migrations.RunPython.noop),
        migrations.RunSQL(SEPARATION_OF_DUTIES, DROP_SEPARATION_OF_DUTIES),
    ]
