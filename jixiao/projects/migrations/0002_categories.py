"""Seed the category dictionary from the indicator library's data."""

from django.db import migrations


def seed_categories(apps, schema_editor):
    from jixiao.projects.categories import sync_categories

    sync_categories(apps.get_model("projects", "Category"))


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]

    operations = [migrations.RunPython(seed_categories, migrations.RunPython.noop)]
