import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_history"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="work_phone",
            field=models.CharField(
                blank=True,
                help_text="Printed on the letters the user sends, e.g. 08-123 456 78.",
                max_length=30,
                validators=[
                    django.core.validators.RegexValidator(
                        "^\\+?[0-9][0-9 ()-]{4,28}$",
                        "Give a phone number of digits, spaces and dashes, e.g. 08-123 456 78.",
                    )
                ],
                verbose_name="work phone",
            ),
        ),
    ]
