from django.db import migrations


def create_default_template(apps, schema_editor):
    from mou.default_template import ensure_default_template

    ensure_default_template(
        apps.get_model("mou", "MOUTemplate"), apps.get_model("mou", "MOUTemplateSection")
    )


def remove_default_template(apps, schema_editor):
    from mou.default_template import NAME

    apps.get_model("mou", "MOUTemplate").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("mou", "0001_initial")]

    operations = [migrations.RunPython(create_default_template, remove_default_template)]
