from django.db import migrations


def sync(apps, schema_editor):
    from jixiao.accounts.actions import sync_builtin_roles

    sync_builtin_roles(apps.get_model("accounts", "Role"))


class Migration(migrations.Migration):
    """Grant the fund and monitoring permissions to the built-in roles."""

    dependencies = [("accounts", "0003_business_permissions")]
    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
