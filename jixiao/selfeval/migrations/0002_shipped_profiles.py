from django.db import migrations


def seed(apps, schema_editor):
    from jixiao.selfeval.profiles import SHIPPED_PROFILE_DATA

    Record = apps.get_model("selfeval", "ScoringProfileRecord")
    for data in SHIPPED_PROFILE_DATA:
        Record.objects.update_or_create(
            code=data["code"], defaults={"name": data["name"], "data": data, "builtin": True}
        )


class Migration(migrations.Migration):
    """Store the four shipped scoring profiles, so campaigns can refer to them."""

    dependencies = [("selfeval", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
