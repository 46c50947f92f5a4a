"""The demo's appointments: medicine sessions today, one overdue integration, nothing double booked."""

from itertools import combinations

from kapstone.demo.builder import DEMO_SLUG, build_demo
from kapstone.practice.models import Membership, Practice
from kapstone.scheduling.models import BLOCKING_STATUSES, Appointment, Room
from kapstone.scheduling.queries import medicine_appointments_on, overdue_integrations


def test_the_demo_schedule_has_todays_sessions_an_overdue_integration_and_no_clash(db, scoped):
    build_demo()
    practice = Practice.objects.get(slug=DEMO_SLUG)
    assert Room.objects.filter(practice=practice).count() == 5
    today = list(medicine_appointments_on(practice, practice.today()))
    assert len(today) >= 3 and len({a.room_id for a in today}) == len(today)
    overdue = [
        a
        for m in Membership.objects.filter(practice=practice, role="therapist")
        for a in overdue_integrations(m)
    ]
    assert len(overdue) == 1
    held = list(
        Appointment.objects.filter(practice=practice, status__in=BLOCKING_STATUSES).prefetch_related(
            "clinicians"
        )
    )
    for a, b in combinations(held, 2):
        if a.starts_at < b.ends_at and b.starts_at < a.ends_at:
            assert a.room_id is None or a.room_id != b.room_id
            assert not set(a.clinicians.all()) & set(b.clinicians.all())
    kinds = set(Appointment.objects.filter(practice=practice).values_list("kind", "status"))
    assert {("intake", "scheduled"), ("preparation", "no_show"), ("follow_up", "scheduled")} <= kinds
    assert ("integration", "cancelled") in kinds
