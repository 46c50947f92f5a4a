"""The client's progress in plain words (about an 8th-grade reading level, second person).

Only outcome measures (the instrument data's ``purpose = "outcome"``: PHQ-9, GAD-7, PCL-5, QIDS-SR16)
are progress. Screeners (AUDIT, DAST-10, MDQ, PQ-B, the C-SSRS) and session questionnaires (the EBI)
are not a course that gets better or worse, so they never show here.

The verdict is the staff chart's own: the same trajectory and reliable-change category
(recovered / improved / unchanged / deteriorated) and the same response and remission answers, with
the category name shown as the staff see it and explained in everyday words. Scores read as the
instrument reports them (``format_score``). See ``docs/clinical.md`` ("Outcomes").
"""

from dataclasses import dataclass

from kapstone.clinical.instruments import Instrument, format_score
from kapstone.measures.outcome_rates import Trajectory, charted_trajectories
from kapstone.sessions.chart import client_dosing

# What each outcome questionnaire measures, in everyday words (the short name is shown beside it).
TOPICS = {
    "phq9": "depression",
    "gad7": "anxiety",
    "pcl5": "stress after trauma",
    "qids_sr16": "depression",
}

# The staff's category names, explained. "Everyday ups and downs" is the reliable-change idea: a
# change larger than a score would wander by itself.
VERDICTS = {
    "recovered": (
        "Your score went down by more than everyday ups and downs, and it is now below the range where "
        "people usually look for help."
    ),
    "improved": "Your score went down by more than everyday ups and downs. That is a real improvement.",
    "unchanged": (
        "Your score is about the same as at the start. Changes this small can happen from week to week."
    ),
    "deteriorated": (
        "Your score went up by more than everyday ups and downs. Your care team sees this too and will "
        "talk with you about it."
    ),
}
NO_VERDICT = "We can't yet tell whether this change is bigger than everyday ups and downs."


@dataclass(frozen=True)
class Line:
    """One plain-words line on a progress panel: the staff's name for it, and what it means."""

    term: str  # as on the staff chart: "Improved", "Response", "Remission"
    meaning: str


@dataclass
class Progress:
    instrument: Instrument
    topic: str
    summary: str
    verdict: Line | None
    lines: list[Line]
    direction: str
    svg: str
    trajectory: Trajectory

    @property
    def category(self) -> str | None:
        change = self.trajectory.change
        return change.category if change else None


def progress_for(client, zone) -> list[Progress]:
    """The client's outcome measures, each with its chart and its verdict in plain words."""
    trajectories = charted_trajectories(client, zone, dosing=client_dosing(client))
    return [describe(t) for t in trajectories if t.instrument.is_outcome and t.svg]


def describe(trajectory: Trajectory) -> Progress:
    instrument, change = trajectory.instrument, trajectory.change
    topic = TOPICS.get(instrument.id, "symptom")
    fmt = lambda value: format_score(instrument, value)  # noqa: E731
    name = f"{topic} score ({instrument.short_name})"
    verdict, lines = None, []
    if change is None:
        count = len(trajectory.responses)
        if count == 1:
            summary = f"Your {name} is {fmt(trajectory.latest.total)}. We will compare later scores with it."
        else:
            summary = f"Your {name} is {fmt(trajectory.latest.total)}."
    else:
        summary = f"Your {name} went from {fmt(change.baseline)} at the start to {fmt(change.latest)} now."
        if change.category is not None:
            verdict = Line(change.category.capitalize(), VERDICTS[change.category])
        else:
            lines.append(Line("Not judged yet", NO_VERDICT))
        if change.response is not None:
            lines.append(_response(instrument, change.response))
        if change.remission is not None:
            lines.append(_remission(instrument, change.remission))
    return Progress(
        instrument=instrument,
        topic=topic,
        summary=summary,
        verdict=verdict,
        lines=lines,
        direction=instrument.direction,
        svg=trajectory.svg,
        trajectory=trajectory,
    )


def _response(instrument: Instrument, responded: bool) -> Line:
    share = format_percent(instrument.response.reduction)
    if responded:
        return Line("Response: yes", f"Your score has dropped by {share} or more since the start.")
    return Line(
        "Response: not yet", f"That would mean your score dropped by {share} or more since the start."
    )


def _remission(instrument: Instrument, remitted: bool) -> Line:
    limit = instrument.remission
    bound = (
        f"{format_score(instrument, limit.max)} or lower"
        if limit.max is not None
        else f"{format_score(instrument, limit.min)} or higher"
    )
    if remitted:
        return Line("Remission: yes", f"Your score is {bound}, the range with few or no symptoms.")
    return Line(
        "Remission: not yet", f"That would mean a score of {bound}, the range with few or no symptoms."
    )


def format_percent(fraction: float) -> str:
    """``0.5`` -> ``"50%"``."""
    return f"{round(fraction * 100)}%"
