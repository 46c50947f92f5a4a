"""Readiness for a medicine session: everything that must be in place before a client is dosed.

Each app that owns a requirement answers for it through the :data:`episode_gate` signal with the
target :data:`READY_FOR_DOSING` (measures: the measurement baseline; screening: an approved
eligibility decision; pathway: consent, preparation with intentions, an escort; sessions: the
prescriber's dose plan). Scheduling or starting a medicine session, and moving an episode into
treatment, are refused while any gap remains, unless an admin or prescriber overrides in writing.

:data:`CHECKLIST` names the six items, so the readiness page always shows all six: an item is met
when no receiver returns a gap with its code. A gap with a code outside the catalogue is shown too.
"""

from dataclasses import dataclass, field

from .transitions import Gap, gaps_for

READY_FOR_DOSING = "ready_for_dosing"


@dataclass(frozen=True)
class ReadinessItem:
    code: str
    label: str  # what must be true, in words
    who: str  # who can complete it
    owner: str  # the app that answers for it


CHECKLIST = (
    ReadinessItem(
        "screening.eligibility", "Eligibility approved by a prescriber", "a prescriber", "screening"
    ),
    ReadinessItem(
        "pathway.consent",
        "Treatment consent: current version signed by the client and countersigned",
        "the client signs through a link; a clinician countersigns",
        "pathway",
    ),
    ReadinessItem(
        "pathway.preparation",
        "At least one preparation session done, with intentions recorded",
        "the therapist, with the client",
        "pathway",
    ),
    ReadinessItem(
        "pathway.escort",
        "Escort for the ride home named, with phone",
        "a clinician or the front desk",
        "pathway",
    ),
    ReadinessItem(
        "measures.baseline",
        "Measurement baseline complete (PHQ-9, GAD-7, C-SSRS screener)",
        "the client or a clinician",
        "measures",
    ),
    ReadinessItem("sessions.dose_plan", "Prescriber's dose plan present", "a prescriber", "sessions"),
)
CHECKLIST_CODES = {item.code: item for item in CHECKLIST}


def readiness_gaps(episode) -> list[Gap]:
    return gaps_for(episode, READY_FOR_DOSING)


@dataclass
class ChecklistRow:
    item: ReadinessItem
    gaps: list[Gap] = field(default_factory=list)

    @property
    def met(self) -> bool:
        return not self.gaps

    @property
    def who(self) -> str:
        return "; ".join(dict.fromkeys(gap.who for gap in self.gaps)) or self.item.who


def readiness_checklist(episode, gaps: list[Gap] | None = None) -> list[ChecklistRow]:
    """All six items in order, each with its gaps (none = met), then any gap outside the catalogue."""
    gaps = readiness_gaps(episode) if gaps is None else gaps
    rows = {item.code: ChecklistRow(item) for item in CHECKLIST}
    for gap in gaps:
        if gap.code not in rows:
            rows[gap.code] = ChecklistRow(ReadinessItem(gap.code, gap.label, gap.who, gap.code.split(".")[0]))
        rows[gap.code].gaps.append(gap)
    return list(rows.values())
