from django.db import migrations


def sync(apps, schema_editor):
    from jixiao.accounts.actions import sync_builtin_roles

    sync_builtin_roles(apps.get_model("accounts", "Role"))


class Migration(migrations.Migration):
    """Grant the two 监控表 review permissions (主管部门审核, 财政审核) to the built-in roles."""

    dependencies = [("accounts", "0005_selfeval_permissions")]
    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
