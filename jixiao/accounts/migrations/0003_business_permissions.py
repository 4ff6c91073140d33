from django.db import migrations


def sync(apps, schema_editor):
    from jixiao.accounts.actions import sync_builtin_roles

    sync_builtin_roles(apps.get_model("accounts", "Role"))


class Migration(migrations.Migration):
    """Grant the project, goal and cross-check permissions to the built-in roles."""

    dependencies = [("accounts", "0002_builtin_roles")]
    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
