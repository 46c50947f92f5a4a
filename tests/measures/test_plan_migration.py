"""Practices that already had a plan ask the C-SSRS "since last contact" before each medicine session
after the upgrade (migration 0005), and keep everything else."""

import importlib

from django.apps import apps

from kapstone.measures.models import MeasurementPlanItem
from kapstone.measures.plan import plan_for

from ..factories import make_practice

migration = importlib.import_module("kapstone.measures.migrations.0005_pre_session_cssrs_since_last_contact")


def test_the_pre_session_screener_becomes_the_since_last_contact_version(db, scoped):
    old, both = make_practice(), make_practice()
    for practice in (old, both):
        plan_for(practice)
        MeasurementPlanItem.objects.filter(
            practice=practice, instrument_id="cssrs_since_last_contact"
        ).update(instrument_id="cssrs_screener", since_last_contact=False)
    MeasurementPlanItem.objects.create(
        practice=both, point="pre_session", instrument_id="cssrs_since_last_contact", since_last_contact=True
    )
    migration.to_since_last_contact(apps, None)
    for practice in (old, both):
        pre = MeasurementPlanItem.objects.filter(practice=practice, point="pre_session")
        assert sorted(pre.values_list("instrument_id", flat=True)) == [
            "cssrs_since_last_contact",
            "gad7",
            "phq9",
        ]
        assert pre.get(instrument_id="cssrs_since_last_contact").since_last_contact
        assert MeasurementPlanItem.objects.filter(
            practice=practice, point="intake", instrument_id="cssrs_screener"
        ).exists()
