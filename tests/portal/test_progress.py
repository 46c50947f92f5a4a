"""The client's progress page: outcome measures only, scores as the instrument reports them, and the
staff chart's own verdict in plain words."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from kapstone.measures import services as measures

START = datetime(2026, 9, 1, 15, 0, tzinfo=UTC)


def spread(total: int, items: int, top: int = 3) -> dict[int, int]:
    answers = dict.fromkeys(range(1, items + 1), 0)
    for item in answers:
        answers[item] = min(top, total)
        total -= answers[item]
    return answers


def submit(client, instrument_id, answers, weeks):
    with time_machine.travel(START + timedelta(weeks=weeks), tick=False):
        draft = measures.draft_for(client, instrument_id, source="portal")
        measures.save_answers(None, draft, answers, submit=True)


def phq9(total):
    return spread(total, 8) | {9: 0}


def progress_page(http, world) -> str:
    http.force_login(world.client_account.user)
    return http.get(reverse("portal:progress")).content.decode()


def verdicts(page: str) -> dict[str, str]:
    """Instrument heading id -> the verdict word in its panel, as shown."""
    found = {}
    for section in re.findall(r"<section.*?</section>", page, re.S):
        heading = re.search(r'id="h-([a-z0-9_]+)"', section)
        word = re.search(r'class="verdict verdict-[a-z]+">([^<]+)<', section)
        if heading and word:
            found[heading.group(1)] = word.group(1).strip()
    return found


def test_a_client_with_audit_and_phq9_sees_only_the_phq9(client, world, scoped):
    submit(world.client, "audit", dict.fromkeys(range(1, 9), 2) | {9: 2, 10: 2}, 0)
    submit(world.client, "phq9", phq9(19), 0)
    submit(world.client, "phq9", phq9(9), 6)
    submit(world.client, "audit", dict.fromkeys(range(1, 9), 1) | {9: 0, 10: 0}, 6)
    page = progress_page(client, world)
    assert 'id="h-phq9"' in page and 'id="h-audit"' not in page
    assert "AUDIT" not in page and "alcohol" not in page.lower()
    assert "Your depression score (PHQ-9) went from 19 at the start to 9 now." in page


def test_screeners_and_session_questionnaires_are_never_progress(client, world, scoped):
    submit(world.client, "dast10", dict.fromkeys(range(1, 11), 0) | {3: 1}, 0)
    submit(world.client, "cssrs_screener", {1: 0, 2: 0, 6: 0}, 0)
    for week, ratings in ((1, (50, 61, 55, 58, 54, 56)), (3, (70, 71, 65, 68, 64, 66))):
        submit(world.client, "ebi", dict(enumerate(ratings, start=1)), week)
    page = progress_page(client, world)
    assert "Your charts will appear here" in page
    for name in ("DAST", "C-SSRS", "EBI", "Emotional Breakthrough"):
        assert name not in page


def test_an_ebi_mean_never_shows_more_than_its_decimals(client, world, scoped):
    # 334 / 6 = 55.666...; on the staff page and wherever a score is shown it reads 55.7.
    submit(world.client, "ebi", dict(enumerate((50, 61, 55, 58, 54, 56), start=1)), 1)
    submit(world.client, "gad7", spread(14, 7), 0)
    submit(world.client, "gad7", spread(13, 7), 4)
    page = progress_page(client, world)
    assert "55.6" not in page and "55.7" not in page  # not progress at all
    assert re.search(r"\d+\.\d{2,}", re.sub(r"<svg.*?</svg>", "", page, flags=re.S)) is None
    assert "went from 14 at the start to 13 now" in page  # sums read as whole numbers, not 14.0


@pytest.mark.parametrize(
    ("first", "last", "word"),
    [(19, 9, "Recovered"), (22, 14, "Improved"), (16, 14, "Unchanged"), (9, 20, "Deteriorated")],
)
def test_the_verdict_word_is_the_one_on_the_staff_trajectory_page(client, world, scoped, first, last, word):
    submit(world.client, "phq9", phq9(first), 0)
    submit(world.client, "phq9", phq9((first + last) // 2), 3)
    submit(world.client, "phq9", phq9(last), 6)
    portal = verdicts(progress_page(client, world))
    client.force_login(world.members["therapist"].user)
    staff_page = client.get(reverse("measures:client", args=[world.client.pk])).content.decode()
    staff = verdicts(staff_page)
    assert portal["phq9"] == staff["phq9"] == word


def test_response_and_remission_are_named_as_on_the_chart_and_explained(client, world, scoped):
    submit(world.client, "phq9", phq9(20), 0)
    submit(world.client, "phq9", phq9(3), 6)
    page = progress_page(client, world)
    assert "Response: yes" in page and "dropped by 50% or more" in page
    assert "Remission: yes" in page and "4 or lower" in page
    assert "a lower score is better" in page
