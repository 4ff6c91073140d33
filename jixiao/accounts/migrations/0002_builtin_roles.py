from django.db import migrations


def sync(apps, schema_editor):
    from jixiao.accounts.actions import sync_builtin_roles

    sync_builtin_roles(apps.get_model("accounts", "Role"))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
