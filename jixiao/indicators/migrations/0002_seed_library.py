from django.db import migrations


def seed(apps, schema_editor):
    from jixiao.indicators.library import seed_library

    seed_library(apps.get_model("projects", "Category"), apps.get_model("indicators", "IndicatorTemplate"))


class Migration(migrations.Migration):
    """Seed the standard indicator library (and any missing category) from jixiao.indicators.library_data."""

    dependencies = [("indicators", "0001_initial"), ("projects", "0002_categories")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
