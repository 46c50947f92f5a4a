"""The live board page and the fragment its script polls."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from kapstone.audit.services import log_event
from kapstone.practice.permissions import Capability, capability_required

from ..board import board_cards
from ..forms import VitalsForm, local_input
from .session import bedside_form

# How often the board asks for fresh cards. Not a clinical number: the countdowns tick in the browser
# from event times, this only bounds how stale a card can be (a few seconds).
POLL_SECONDS = 5


def _context(request, now):
    return {
        "cards": board_cards(request.membership, now),
        "now": now,
        "poll_seconds": POLL_SECONDS,
    }


@never_cache
@capability_required(Capability.VIEW_CLINICAL)
def board(request):
    now = timezone.now()
    context = _context(request, now)
    context["vitals_form"] = VitalsForm(
        prefix="dialog",
        zone=request.practice.zone,
        now=now,
        initial={"taken_at": local_input(now, request.practice.zone, date=False)},
    )
    context["ratings_form"] = bedside_form(request, None)
    log_event(request, "sessions.board.viewed", data={"sessions": len(context["cards"])})
    return render(request, "sessions/board.html", context)


@never_cache
@capability_required(Capability.VIEW_CLINICAL)
def board_cards_fragment(request):
    """The cards only, for the board's script (sent with ``X-Kapstone-Background: 1``, so polling
    never counts as activity for the idle logoff). The page view is what the audit trail records."""
    return render(request, "sessions/board_cards.html", _context(request, timezone.now()))
