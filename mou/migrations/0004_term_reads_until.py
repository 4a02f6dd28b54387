from django.db import migrations

OLD = "continues {end_date},"
NEW = "continues until {end_date},"


def term_reads_until(apps, schema_editor):
    """The shipped template's term clause read "continues 31 December 2028"; a
    template whose text was changed by hub staff is left as they wrote it."""
    Section = apps.get_model("mou", "MOUTemplateSection")
    for section in Section.objects.filter(
        template__name="Partnership MOU", kind="term", default_text__contains=OLD
    ):
        section.default_text = section.default_text.replace(OLD, NEW)
        section.save(update_fields=["default_text"])


def term_reads_as_before(apps, schema_editor):
    Section = apps.get_model("mou", "MOUTemplateSection")
    for section in Section.objects.filter(
        template__name="Partnership MOU", kind="term", default_text__contains=NEW
    ):
        section.default_text = section.default_text.replace(NEW, OLD)
        section.save(update_fields=["default_text"])


class Migration(migrations.Migration):
    dependencies = [("mou", "0003_reminders_in_partnerships")]

    operations = [migrations.RunPython(term_reads_until, term_reads_as_before)]
