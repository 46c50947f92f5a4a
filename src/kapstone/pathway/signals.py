"""The pathway's own gates before dosing: current treatment consent, preparation with intentions, and
an escort. Each answers for :data:`READY_FOR_DOSING` and for the move into treatment. And a new client's
first episode of care is opened when the clients app announces the client."""

from django.dispatch import receiver

from kapstone.clients.events import client_created

from .consent import consent_status
from .models import ConsentKind, EpisodeState, Escort, Intention, PreparationSession
from .readiness import READY_FOR_DOSING
from .services import open_episode
from .transitions import Gap, episode_gate

DOSING_TARGETS = (READY_FOR_DOSING, EpisodeState.TREATMENT)


@receiver(episode_gate, dispatch_uid="pathway.consent")
def treatment_consent_current(sender, episode, to_state, **kwargs):
    if to_state not in DOSING_TARGETS:
        return []
    status = consent_status(episode)[ConsentKind.TREATMENT]
    if status.is_current:
        return []
    document, signature = status.document, status.signature
    if status.state == "no_document":
        return [
            Gap(
                "pathway.consent",
                "Treatment consent: the practice has not published a consent document yet",
                "an admin (Consent documents)",
            )
        ]
    if status.state == "needs_countersign":
        return [
            Gap(
                "pathway.consent",
                f"Treatment consent version {document.version} signed by the client, not countersigned yet",
                "a clinician (countersign)",
            )
        ]
    if status.state == "outdated":
        return [
            Gap(
                "pathway.consent",
                f"Treatment consent: version {document.version} is new and the client signed version "
                f"{signature.document.version}; re-consent needed before the next dose",
                "the client, through a new signing link",
            )
        ]
    sent = " (a signing link is waiting)" if status.state == "pending" else ""
    return [
        Gap(
            "pathway.consent",
            f"Treatment consent version {document.version} not signed yet{sent}",
            "the client, through a signing link",
        )
    ]


@receiver(episode_gate, dispatch_uid="pathway.preparation")
def preparation_with_intentions(sender, episode, to_state, **kwargs):
    if to_state not in DOSING_TARGETS:
        return []
    done = PreparationSession.objects.filter(episode=episode, held_on__lte=episode.practice.today()).count()
    if not done:
        return [Gap("pathway.preparation", "No preparation session recorded yet", "the therapist")]
    if not Intention.objects.filter(episode=episode).exists():
        return [
            Gap(
                "pathway.preparation",
                f"Intentions not recorded yet ({done} preparation session{'s' if done > 1 else ''} done)",
                "the therapist, with the client",
            )
        ]
    return []


@receiver(episode_gate, dispatch_uid="pathway.escort")
def escort_named(sender, episode, to_state, **kwargs):
    if to_state not in DOSING_TARGETS:
        return []
    escort = Escort.objects.filter(episode=episode).first()
    if escort is None:
        return [Gap("pathway.escort", "No escort named for the ride home", "a clinician or the front desk")]
    if not escort.phone.strip():
        return [
            Gap(
                "pathway.escort",
                f"No phone number for the escort {escort.name}",
                "a clinician or the front desk",
            )
        ]
    return []


@receiver(client_created, dispatch_uid="pathway.first_episode")
def open_first_episode(sender, request, client, **kwargs) -> None:
    open_episode(request, client)  # announced in turn: the measures app assigns the intake plan
