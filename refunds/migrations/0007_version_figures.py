from django.db import migrations, models
from django.db.models import OuterRef, Subquery

FIGURES = ("hours_bought", "hours_used", "unit_price", "amount_paid")


def figures_of_their_refund(apps, schema_editor):
    """Until now a refund's figures never changed after its submission: each version's are its refund's."""
    Refund = apps.get_model("refunds", "Refund")
    RefundVersion = apps.get_model("refunds", "RefundVersion")
    RefundVersion.objects.update(
        **{name: Subquery(Refund.objects.filter(pk=OuterRef("refund_id")).values(name)) for name in FIGURES}
    )


def field(name: str, label: str, digits: int, places: int, null: bool):
    return migrations.AlterField(
        model_name="refundversion",
        name=name,
        field=models.DecimalField(label, max_digits=digits, decimal_places=places, null=null),
    )


SPECS = [
    ("hours_bought", "hours bought", 7, 1),
    ("hours_used", "hours used", 7, 1),
    ("unit_price", "price per hour", 9, 2),
    ("amount_paid", "amount paid", 11, 2),
]


class Migration(migrations.Migration):
    dependencies = [("refunds", "0006_attachments_and_receipt")]

    operations = [
        *[
            migrations.AddField(
                model_name="refundversion",
                name=name,
                field=models.DecimalField(label, max_digits=digits, decimal_places=places, null=True),
            )
            for name, label, digits, places in SPECS
        ],
        migrations.RunPython(figures_of_their_refund, migrations.RunPython.noop),
        *[field(name, label, digits, places, null=False) for name, label, digits, places in SPECS],
    ]
