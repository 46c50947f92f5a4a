"""Builders for outcome tests: episodes, scores at chosen times and doses, straight in the database."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from kapstone.clinical.protocols import get_protocol
from kapstone.measures.models import QuestionnaireResponse
from kapstone.pathway.models import Episode
from kapstone.practice.tenancy import scopes_disabled
from kapstone.sessions.models import DoseAdministration, DoseOrder, MedicineSession

from ..factories import make_user

# A fixed origin: no test depends on the wall clock.
DAY0 = datetime(2025, 1, 6, 15, 0, tzinfo=UTC)


def at(day: float) -> datetime:
    return DAY0 + timedelta(days=day)


def episode_for(client, *, opened_day: float = 0, programme=None, state: str = "treatment") -> Episode:
    with scopes_disabled():
        fields = {"state": state, "opened_at": at(opened_day), "programme": programme}
        return Episode.objects.create(practice=client.practice, client=client, **fields)


def score(client, instrument: str, total, day: float, episode=None) -> QuestionnaireResponse:
    with scopes_disabled():
        return QuestionnaireResponse.objects.create(
            practice=client.practice,
            client=client,
            episode=episode,
            instrument_id=instrument,
            instrument_version="1.0",
            source="staff",
            status="submitted",
            total=total,
            submitted_at=at(day) if not isinstance(day, datetime) else day,
        )


def give_dose(episode, day: float, *, protocol_id: str = "sublingual", user=None) -> DoseAdministration:
    """A medicine session of ``protocol_id`` with one dose given on ``day`` (rows only, no workflow)."""
    user = user or make_user()
    protocol = get_protocol(protocol_id)
    with scopes_disabled():
        session = MedicineSession.objects.create(
            practice=episode.practice,
            client=episode.client,
            episode=episode,
            number=MedicineSession.objects.filter(episode=episode).count() + 1,
            protocol_id=protocol.id,
            protocol_version=protocol.version_label,
            room="Room 1",
            opened_at=at(day) - timedelta(minutes=30),
        )
        order = DoseOrder.objects.create(
            practice=episode.practice,
            session=session,
            route=protocol.route,
            dose_unit="mg",
            entered_dose=Decimal("100"),
            dose_mg=Decimal("100"),
            stock_form="unit",
            stock_strength=Decimal("100"),
            ordered_by=user,
            ordered_at=at(day) - timedelta(minutes=10),
        )
        return DoseAdministration.objects.create(
            practice=episode.practice,
            session=session,
            order=order,
            given_at=at(day),
            amount_mg=Decimal("100"),
            given_by=user,
            recorded_by=user,
        )
