"""``kapstone outcomes``: the practice outcomes table for scripts, audited as an export."""

import csv
import io
import json
import os
import shutil
import subprocess
import sys

import pytest
import time_machine
from django.core.management import CommandError, call_command

from kapstone.audit.models import AuditEvent
from kapstone.measures.outcome_rates import EXPORT_COLUMNS

from ..factories import make_client, make_practice
from .outcome_builders import at, episode_for, give_dose, score


@pytest.fixture
def practice(db):
    practice = make_practice(slug="riverbend")
    for later in (4, 12):
        person = make_client(practice)
        course = episode_for(person)
        score(person, "phq9", 20, day=0, episode=course)
        give_dose(course, day=2)
        score(person, "phq9", later, day=40, episode=course)
    return practice


def run(*args) -> str:
    out = io.StringIO()
    call_command("outcomes", *args, stdout=out)
    return out.getvalue()


def test_json_has_n_and_each_verdict_as_count_and_percent(practice):
    with time_machine.travel(at(500), tick=False):  # both 12-month windows (day 305-425) have closed
        report = json.loads(run("--practice", "riverbend", "--format", "json"))
    rows = {(r["measure"], r["instrument"]): r for r in report["rows"]}
    phq9 = rows[("outcome", "phq9")]
    # 20 -> 4 (remitted, responded, improved) and 20 -> 12 (improved by 8; not a 50 % drop).
    assert phq9["n"] == 2
    assert (phq9["improved"], phq9["improved_percent"]) == (2, 100.0)
    assert (phq9["responded"], phq9["responded_percent"]) == (1, 50.0)
    assert (phq9["remitted"], phq9["remitted_percent"]) == (1, 50.0)
    assert (phq9["deteriorated"], phq9["deteriorated_percent"]) == (0, 0.0)
    assert rows[("outcome", "pcl5")]["remitted"] is None  # no rule on file, not zero
    twelve = rows[("remission_at_12_months", "phq9")]
    assert (twelve["n"], twelve["remitted"]) == (2, 0)  # no PHQ-9 in either window
    assert set(phq9) == set(EXPORT_COLUMNS)


def test_csv_prints_the_same_table_and_the_export_is_audited(practice):
    rows = list(csv.DictReader(io.StringIO(run("--practice", "riverbend", "--format", "csv"))))
    assert tuple(rows[0]) == EXPORT_COLUMNS
    phq9 = next(r for r in rows if r["instrument"] == "phq9" and r["measure"] == "outcome")
    assert (phq9["n"], phq9["responded"], phq9["responded_percent"]) == ("2", "1", "50.0")
    assert rows[-1]["measure"] == "remission_at_12_months"
    event = AuditEvent.objects.get(action="measures.outcomes.exported")
    assert event.practice == practice and event.data["format"] == "csv"


def test_the_period_filters_like_the_page(practice):
    report = json.loads(run("--practice", "riverbend", "--from", "2025-03-01", "--to", "2025-12-31"))
    phq9 = next(r for r in report["rows"] if r["instrument"] == "phq9")
    assert phq9["n"] == 0  # the latest scores (day 40, mid February 2025) are before the period


def test_bad_dates_and_unknown_practices_are_refused_clearly(practice):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("--practice", "riverbend", "--from", "2025-02-30")
    with pytest.raises(CommandError, match="before the start"):
        run("--practice", "riverbend", "--from", "2025-03-01", "--to", "2025-01-01")
    with pytest.raises(CommandError, match="No practice"):
        run("--practice", "nowhere")
    assert not AuditEvent.objects.filter(action="measures.outcomes.exported").exists()


def test_the_kapstone_command_line_runs_it(tmp_path):
    """Once through the real entry point, on a fresh database of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAPSTONE_", "DJANGO_", "DATABASE_URL"))}
    env |= {"KAPSTONE_ENVIRONMENT": "development", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    uv = shutil.which("uv")
    kapstone = [uv, "run", "--no-sync", "kapstone"] if uv else [sys.executable, "-m", "kapstone.cli"]

    def cli(*args):
        return subprocess.run([*kapstone, *args], env=env, capture_output=True, text=True, timeout=300)

    assert cli("migrate", "--verbosity", "0").returncode == 0
    made = cli(
        "shell",
        "-c",
        "from kapstone.practice.models import Practice; Practice.objects.create(name='Cli', slug='cli')",
    )
    assert made.returncode == 0, made.stderr
    done = cli("outcomes", "--practice", "cli", "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["rows"]
    assert {r["instrument"] for r in rows} == {"phq9", "gad7", "pcl5", "qids_sr16"}
    refused = cli("outcomes", "--practice", "cli", "--from", "yesterday")
    assert refused.returncode != 0 and "YYYY-MM-DD" in refused.stderr
