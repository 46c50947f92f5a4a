"""Progress in plain words for the client (about an 8th-grade reading level, second person)."""

# What each questionnaire measures, in everyday words.
TOPICS = {
    "phq9": "depression",
    "gad7": "anxiety",
    "pcl5": "trauma-related stress",
    "qids_sr16": "depression",
    "audit": "alcohol use",
    "dast10": "drug use",
}

VERDICTS = {
    "recovered": (
        "that is a big improvement, and your score is now below the range where people usually seek help"
    ),
    "improved": "that is a real improvement, larger than day-to-day ups and downs",
    "unchanged": "that is about the same; changes this small can happen from week to week",
    "deteriorated": (
        "that is higher than before. Your care team sees this too and will talk with you about it"
    ),
}


def sentence(trajectory) -> str:
    instrument = trajectory.instrument
    topic = TOPICS.get(instrument.id, instrument.short_name)
    first, last = trajectory.baseline.total, trajectory.latest.total
    if first is None or last is None:
        return f"You have completed the {instrument.short_name} {len(trajectory.responses)} time(s)."
    fmt = "{:g}".format
    if trajectory.change is None or trajectory.change.category is None:
        if len(trajectory.responses) == 1:
            return (
                f"Your {topic} score ({instrument.short_name}) is {fmt(last)}. "
                "We will compare later scores with it."
            )
        return f"Your {topic} score ({instrument.short_name}) went from {fmt(first)} to {fmt(last)}."
    verdict = VERDICTS[trajectory.change.category]
    return f"Your {topic} score ({instrument.short_name}) went from {fmt(first)} to {fmt(last)}: {verdict}."
