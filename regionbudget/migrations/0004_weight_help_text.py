from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("regionbudget", "0003_default_confidence_weights")]

    operations = [
        migrations.AlterField(
            model_name="confidenceweight",
            name="weight",
            field=models.DecimalField(
                decimal_places=3,
                help_text="Between 0 and 1, e.g. 0.6 counts 60 per cent of the planned effect.",
                max_digits=4,
                verbose_name="weight",
            ),
        ),
    ]
