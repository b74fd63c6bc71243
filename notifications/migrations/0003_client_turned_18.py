
import django.contrib.postgres.fields
import notifications.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0002_email_attempts'),
    ]

    operations = [
        migrations.AlterField(
            model_name='notification',
            name='kind',
            field=models.CharField(choices=[('task_due', 'A task is due'), ('task_assigned', 'A task was assigned to you'), ('referral_answered', 'A referral was answered'), ('transfer_proposed', 'A transfer was proposed'), ('transfer_answered', 'A transfer was answered'), ('police_note_added', 'A police note was added'), ('share_expiring', 'A police share is about to expire'), ('follow_up_due', 'A follow-up is due'), ('review_overdue', 'A review is overdue'), ('client_turned_18', 'A young client turned 18')], max_length=30, verbose_name='kind'),
        ),
        migrations.AlterField(
            model_name='notificationpreference',
            name='email_kinds',
            field=django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('task_due', 'A task is due'), ('task_assigned', 'A task was assigned to you'), ('referral_answered', 'A referral was answered'), ('transfer_proposed', 'A transfer was proposed'), ('transfer_answered', 'A transfer was answered'), ('police_note_added', 'A police note was added'), ('share_expiring', 'A police share is about to expire'), ('follow_up_due', 'A follow-up is due'), ('review_overdue', 'A review is overdue'), ('client_turned_18', 'A young client turned 18')], max_length=30), blank=True, default=notifications.models.email_kinds_default, verbose_name='by e-mail'),
        ),
    ]
