"""Practices whose plan asks the intake C-SSRS screener before each medicine session ask the
"since last contact" version instead (see docs/measurement-plan.md)."""

from django.db import migrations

BEFORE, AFTER = "cssrs_screener", "cssrs_since_last_contact"


def to_since_last_contact(apps, schema_editor):
    item = apps.get_model("measures", "MeasurementPlanItem")
    has_new = item.objects.filter(point="pre_session", instrument_id=AFTER).values("practice_id")
    old = item.objects.filter(point="pre_session", instrument_id=BEFORE)
    old.filter(practice_id__in=has_new).delete()
    old.update(instrument_id=AFTER, since_last_contact=True)


def to_screener(apps, schema_editor):
    item = apps.get_model("measures", "MeasurementPlanItem")
    item.objects.filter(point="pre_session", instrument_id=AFTER).update(instrument_id=BEFORE)


class Migration(migrations.Migration):
    dependencies = [("measures", "0004_assignment_triggers_and_pre_session_lead")]

    operations = [migrations.RunPython(to_since_last_contact, to_screener)]
