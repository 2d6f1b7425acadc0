from django.db import migrations

DEFAULT_CHAIN = ["director", "finance", "president"]


def default_chain(apps, schema_editor):
    ApprovalStep = apps.get_model("refunds", "ApprovalStep")
    if not ApprovalStep.objects.exists():
        ApprovalStep.objects.bulk_create(
            ApprovalStep(position=position, role=role) for position, role in enumerate(DEFAULT_CHAIN, start=1)
        )


class Migration(migrations.Migration):
    dependencies = [("refunds", "0001_initial")]
    operations = [migrations.RunPython(default_chain, migrations.RunPython.noop)]
