"""docs/fhir.md lists every standard code the export uses, with its system, and says which are unverified."""

from pathlib import Path

from kapstone.api.fhir import codes

DOC = Path(__file__).resolve().parents[2] / "docs" / "fhir.md"


def rows():
    found = {}
    for line in DOC.read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0].startswith("`http"):
            found[(cells[0].strip("`"), cells[1].strip("`"))] = cells[4]
    return found


def test_every_standard_code_is_in_the_table_and_unverified_ones_say_so():
    table = rows()
    for code in codes.STANDARD_CODES:
        assert (code.system, code.code) in table, f"{code.system} {code.code} is missing from docs/fhir.md"
        if not code.verified:
            assert "unverified" in table[(code.system, code.code)], code
