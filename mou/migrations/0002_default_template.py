from django.db import migrations


def create_default_template(apps, schema_editor):
    from mou.default_template import NAME, SECTIONS

    MOUTemplate = apps.get_model("mou", "MOUTemplate")
    MOUTemplateSection = apps.get_model("mou", "MOUTemplateSection")
    if MOUTemplate.objects.filter(name=NAME).exists():
        return
    template = MOUTemplate.objects.create(
        name=NAME,
        description="Every section a partnership agreement usually needs, in plain "
        "language.",
        is_default=True,
    )
    MOUTemplateSection.objects.bulk_create(
        MOUTemplateSection(
            template=template, sort_order=order, kind=kind, heading=heading,
            default_text=text,
        )
        for order, (kind, heading, text) in enumerate(SECTIONS)
    )


def remove_default_template(apps, schema_editor):
    from mou.default_template import NAME

    apps.get_model("mou", "MOUTemplate").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("mou", "0001_initial")]

    operations = [migrations.RunPython(create_default_template, remove_default_template)]
