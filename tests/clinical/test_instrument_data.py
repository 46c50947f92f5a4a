"""The reference data files: what every shipped file must say, and how a broken file is refused."""

import ast
from pathlib import Path

import pytest

import kapstone.clinical
from kapstone.clinical import all_instruments, get_instrument, score
from kapstone.clinical.instruments import InstrumentDataError, load_instrument

DATA = Path(kapstone.clinical.__file__).parent / "data" / "instruments"
EXPECTED = {
    "phq9", "gad7", "pcl5", "cssrs_screener", "qids_sr16", "audit", "dast10",
    "mdq", "pqb", "ebi", "moaas", "rass", "aldrete",
}  # fmt: skip


def test_every_required_instrument_ships():
    assert {i.id for i in all_instruments()} >= EXPECTED
    assert get_instrument("phq9") is get_instrument("phq9")  # cached


@pytest.mark.parametrize("instrument", all_instruments(), ids=lambda i: i.id)
def test_every_instrument_records_licence_version_recall_and_sources(instrument):
    assert instrument.version
    assert instrument.recall_period
    assert instrument.licence.summary and instrument.licence.source
    assert instrument.scoring.source
    for band in instrument.bands:
        assert band.source


@pytest.mark.parametrize("instrument", all_instruments(), ids=lambda i: i.id)
def test_wording_ships_only_where_the_licence_allows_it(instrument):
    has_text = any(item.text for item in instrument.items)
    if instrument.licence.wording_reproduced:
        assert all(item.text for item in instrument.items)
    else:
        assert not has_text and instrument.instructions is None
        assert instrument.licence.wording.startswith("not reproduced")


def test_only_freely_reproducible_instruments_carry_wording():
    worded = {i.id for i in all_instruments() if i.licence.wording_reproduced}
    assert worded == {"phq9", "gad7", "pcl5"}


@pytest.mark.parametrize(
    ("instrument_id", "part"),
    [
        ("phq9", "remission"),
        ("phq9", "reliability"),  # reference SD from one sample
        ("gad7", "remission"),
        ("gad7", "reliability"),  # SD 5 assumed
        ("pcl5", "positive_screen"),  # 33 chosen within 31-33
        ("pcl5", "clinical_range"),
        ("cssrs_screener", "licence"),
        ("qids_sr16", "licence"),
        ("ebi", "licence"),
        ("dast10", "positive_screen"),
    ],
)
def test_unconfirmed_values_say_so_in_the_data(instrument_id, part):
    assert getattr(get_instrument(instrument_id), part).unconfirmed


def test_cssrs_triage_bands_are_flagged_unconfirmed_except_the_default():
    bands = get_instrument("cssrs_screener").bands
    assert [b.unconfirmed is not None for b in bands] == [True, True, True, False]


def test_qids_scores_by_domains_covering_every_item_once():
    qids = get_instrument("qids_sr16")
    assert qids.scoring.method == "domains"
    covered = sorted(n for d in qids.scoring.domains for n in qids.subscale(d).items)
    assert covered == list(range(1, 17))
    assert qids.total_range == (0, 27)


def test_dast10_item_3_alone_is_reverse_scored():
    assert [i.number for i in get_instrument("dast10").items if i.reverse_scored] == [3]


def test_cssrs_skip_logic_is_data():
    cssrs = get_instrument("cssrs_screener")
    gated = {i.number: cssrs.describe(i.show_if) for i in cssrs.items if i.show_if}
    assert gated == {3: "item 2 = Yes", 4: "item 2 = Yes", 5: "item 2 = Yes", 7: "item 6 = Yes"}


# --- loading and validation -------------------------------------------------------------------


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def phq9_with(tmp_path: Path, old: str, new: str, name: str = "phq9.toml") -> Path:
    text = (DATA / "phq9.toml").read_text(encoding="utf-8")
    assert old in text, old
    return write(tmp_path, name, text.replace(old, new, 1))


def test_a_practice_override_is_scored_with_its_own_version(tmp_path):
    text = (DATA / "phq9.toml").read_text(encoding="utf-8")
    text = text.replace('version = "1.0"', 'version = "1.0-practice-a"')
    text = text.replace('when = { score = "total", min = 10 }', 'when = { score = "total", min = 8 }')
    override = load_instrument(write(tmp_path, "phq9.toml", text))
    answers = {1: 3, 2: 3, 3: 2, 4: 0, 5: 0, 6: 0, 7: 0, 8: 0, 9: 0}  # total 8
    result = score(override, answers)
    assert (result.positive_screen, result.instrument_version) == (True, "1.0-practice-a")
    assert score("phq9", answers).positive_screen is False


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ("min = 5\nmax = 9", "min = 6\nmax = 9", "bands[1].min", "expected 5"),
        ("min = 20\nmax = 27", "min = 20\nmax = 26", "bands[4].max", "expected 27"),
        (
            'label = "Mild"\nseverity = "mild"',
            'label = "Mild"\nseverity = "grim"',
            "bands[1].severity",
            "not one of",
        ),
        ('max = 9\nsource = "S22"', 'max = 9\nsource = "S99"', "bands[1].source", "unknown source 'S99'"),
        ("item = 9\nmin = 1", "item = 12\nmin = 1", "critical_items[0].item", "12 is not an item"),
        ("number = 2\n", "number = 3\n", "items[1].number", "expected 2"),
        ('id = "phq9"', 'id = "phq10"', "id", "does not match the file name"),
        ("coefficient = 0.89", "coefficient = 1.2", "reliability.coefficient", "between 0 and 1"),
        ("coefficient = 0.89", "coefficient = true", "reliability.coefficient", "must be a number"),
        ("[remission]\nmax = 4", "[remission]\nmax = 40", "remission.max", "outside the total range"),
        ("[remission]\nmax = 4", "[remission]\nmin = 4", "remission", "use max when higher_is_worse"),
        ('direction = "higher_is_worse"', 'direction = "neutral"', "reliability", "neutral-direction"),
        (
            "[clinical_range]\nmin = 10",
            "[clinical_range]\nmin = 10\nmean = 3",
            "clinical_range.mean",
            "unknown key",
        ),
        (
            'score = "total", min = 10',
            'score = "totl", min = 10',
            "positive_screen.when.score",
            "not a score",
        ),
        (
            'text = "Little interest',
            'show_if = { item = 2, in = [1] }\ntext = "Little interest',
            "items[0].show_if.item",
            "item 2 comes later",
        ),
        ("wording_reproduced = true", "wording_reproduced = false", "licence.wording", "must start with"),
    ],
)
def test_a_broken_file_is_refused_naming_file_and_field(tmp_path, old, new, field, message):
    with pytest.raises(InstrumentDataError, match=message) as caught:
        load_instrument(phq9_with(tmp_path, old, new))
    assert str(caught.value).startswith(f"phq9.toml: {field}: ")


def test_wording_in_a_file_whose_licence_forbids_it_is_refused(tmp_path):
    path = phq9_with(
        tmp_path,
        'wording_reproduced = true\nwording = "reproduced',
        'wording_reproduced = false\nwording = "not reproduced',
    )
    with pytest.raises(InstrumentDataError, match=r"^phq9\.toml: items\[0\]\.text: licence does not allow"):
        load_instrument(path)
    without_text = "\n".join(line for line in path.read_text().splitlines() if not line.startswith("text = "))
    with pytest.raises(InstrumentDataError, match=r"^phq9\.toml: instructions: licence does not allow"):
        load_instrument(write(tmp_path, "phq9.toml", without_text))


def test_a_domain_rule_that_drops_an_item_is_refused(tmp_path):
    text = (DATA / "qids_sr16.toml").read_text(encoding="utf-8").replace('"energy", ', "")
    with pytest.raises(
        InstrumentDataError, match=r"^qids_sr16\.toml: scoring\.domains: every item must belong"
    ):
        load_instrument(write(tmp_path, "qids_sr16.toml", text))


def test_invalid_toml_names_the_file(tmp_path):
    with pytest.raises(InstrumentDataError, match=r"^broken.toml: \(file\): not valid TOML"):
        load_instrument(write(tmp_path, "broken.toml", "id = \n"))


def test_the_scoring_core_imports_no_django():
    core = Path(kapstone.clinical.__file__).parent
    files = [
        core / "__init__.py",
        core / "scoring.py",
        core / "outcomes.py",
        *(core / "instruments").glob("*.py"),
    ]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            names += [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not any(n == "django" or n.startswith("django.") for n in names), path
