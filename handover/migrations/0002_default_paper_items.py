from django.db import migrations

# The paper file every campus checks (PROCESS.md H5); administrators add or retire items in the admin.
DEFAULT_ITEMS = ["合同复印件", "收据", "报名表", "咨询报告", "学习情况个性化分析报告", "个性化辅导草案"]


def add_items(apps, schema_editor):
    kind = apps.get_model("handover", "PaperItemKind")
    for order, name in enumerate(DEFAULT_ITEMS):
        kind.objects.get_or_create(name=name, campus=None, defaults={"order": order})


class Migration(migrations.Migration):
    dependencies = [("handover", "0001_initial")]
    operations = [migrations.RunPython(add_items, migrations.RunPython.noop)]
