"""Reading margins CSVs: pure, no app or database needed."""

import pytest

from panel.models import AgeBand, Sex
from population.csv_import import (
    CELLS_PER_VILLAGE,
    Problem,
    ProblemKind,
    parse_age_band,
    parse_margins,
)

VILLAGES = {"Orvelte": 1, "Beilen": 2, "Nieuw-Balinge": 3}
BANDS = ["18-34", "35-49", "50-64", "65-74", "75+"]


def village_rows(village: str, start: int = 10, sexes=("female", "male"), bands=BANDS) -> list:
    return [
        [village, band, sex, str(start + i * 2 + j)]
        for i, band in enumerate(bands)
        for j, sex in enumerate(sexes)
    ]


def csv_bytes(rows, header=("village", "age_band", "sex", "count"), delimiter=",", bom=False):
    lines = [delimiter.join(header)] + [delimiter.join(row) for row in rows]
    text = "\r\n".join(lines) + "\r\n"
    return (("\ufeff" if bom else "") + text).encode("utf-8")


def kinds_and_lines(parsed) -> list[tuple[ProblemKind, int | None]]:
    return [(p.kind, p.line) for p in parsed.problems]


def test_a_good_file_gives_every_cell_and_lists_the_villages_left_out():
    parsed = parse_margins(
        csv_bytes(village_rows("Orvelte") + village_rows("Beilen", 100)), VILLAGES
    )
    assert parsed.ok and parsed.problems == []
    assert len(parsed.cells) == 2 * CELLS_PER_VILLAGE
    assert parsed.cells[(1, AgeBand.A18_34, Sex.FEMALE)] == 10
    assert parsed.cells[(1, AgeBand.A18_34, Sex.MALE)] == 11
    assert parsed.cells[(2, AgeBand.A75_PLUS, Sex.MALE)] == 109
    assert parsed.absent_villages == ["Nieuw-Balinge"]


def test_excel_file_with_bom_semicolons_dutch_headers_and_cbs_labels():
    dutch_bands = ["18 tot 35 jaar", "35–49", "50 - 64", "65-74 jaar", "75 jaar of ouder"]
    rows = village_rows("orvelte", sexes=("Vrouw", "m"), bands=dutch_bands)
    data = csv_bytes(
        rows, header=("Dorp", "Leeftijd", "Geslacht", "Aantal"), delimiter=";", bom=True
    )
    parsed = parse_margins(data, VILLAGES)
    assert parsed.ok, parsed.problems
    assert set(parsed.cells) == {
        (1, band, sex) for band in AgeBand for sex in (Sex.FEMALE, Sex.MALE)
    }
    assert parsed.cells[(1, AgeBand.A75_PLUS, Sex.MALE)] == 19


def test_extra_columns_quotes_and_blank_lines_are_fine():
    rows = [[f'"{v}"', b, s, c, "extra"] for v, b, s, c in village_rows("Nieuw-Balinge")]
    data = csv_bytes(rows, header=("woonplaats", "leeftijdsklasse", "geslacht", "aantal", "bron"))
    parsed = parse_margins(b"\r\n" + data + b",,,,\r\n\r\n", VILLAGES)
    assert parsed.ok, parsed.problems
    assert len(parsed.cells) == CELLS_PER_VILLAGE


@pytest.mark.parametrize(
    ("text", "band"),
    [
        ("18-34", AgeBand.A18_34),
        ("18–34", AgeBand.A18_34),
        ("18 tot 35 jaar", AgeBand.A18_34),
        ("75+", AgeBand.A75_PLUS),
        ("75 jaar of ouder", AgeBand.A75_PLUS),
        ("75 jaar en ouder", AgeBand.A75_PLUS),
        ("65 - 74", AgeBand.A65_74),
        ("18-35", None),
        ("0-17", None),
        ("80+", None),
        ("jong", None),
    ],
)
def test_age_band_labels(text, band):
    assert parse_age_band(text) is band


@pytest.mark.parametrize(
    ("count", "kind"),
    [
        ("1.234", ProblemKind.THOUSANDS_SEPARATOR),
        ("1,234", ProblemKind.THOUSANDS_SEPARATOR),
        ("-3", ProblemKind.NEGATIVE_COUNT),
        ("12.5", ProblemKind.NOT_A_COUNT),
        ("twaalf", ProblemKind.NOT_A_COUNT),
        ("12345678901", ProblemKind.TOO_LARGE),
        ("", ProblemKind.MISSING_VALUE),
    ],
)
def test_a_bad_count_is_reported_with_its_line(count, kind):
    rows = village_rows("Orvelte")
    rows[3][3] = count
    parsed = parse_margins(csv_bytes(rows, delimiter=";"), VILLAGES)
    assert not parsed.ok
    assert kinds_and_lines(parsed) == [(kind, 5)]  # header is line 1, so row 4 is line 5
    assert parsed.problems[0].value == ("count" if kind is ProblemKind.MISSING_VALUE else count)


def test_every_problem_is_reported_at_once_with_line_numbers():
    rows = village_rows("Orvelte") + village_rows("Beilen")[:9]
    rows[0][0] = "Assen"  # line 2
    rows[1][1] = "18-35"  # line 3
    rows[2][2] = "x"  # line 4
    rows[4][3] = "-1"  # line 6
    rows.append(["Beilen", "18-34", "female", "5"])  # line 21: already on line 12
    parsed = parse_margins(csv_bytes(rows), VILLAGES)
    assert kinds_and_lines(parsed) == [
        (ProblemKind.UNKNOWN_VILLAGE, 2),
        (ProblemKind.UNKNOWN_AGE_BAND, 3),
        (ProblemKind.UNKNOWN_SEX, 4),
        (ProblemKind.NEGATIVE_COUNT, 6),
        (ProblemKind.DUPLICATE, 21),
        (ProblemKind.INCOMPLETE_VILLAGE, 12),
        (ProblemKind.INCOMPLETE_VILLAGE, 5),
    ]
    assert parsed.problems[0].value == "Assen"
    assert parsed.problems[4].other_line == 12
    beilen, orvelte = parsed.problems[5], parsed.problems[6]
    assert beilen.value == "Beilen" and beilen.missing == ((AgeBand.A75_PLUS, Sex.MALE),)
    # Orvelte's first three rows were unusable, so their cells count as missing too.
    assert orvelte.missing == (
        (AgeBand.A18_34, Sex.FEMALE),
        (AgeBand.A18_34, Sex.MALE),
        (AgeBand.A35_49, Sex.FEMALE),
    )


def test_a_row_with_a_bad_count_is_not_also_reported_missing():
    rows = village_rows("Orvelte")
    rows[0][3] = "veel"
    parsed = parse_margins(csv_bytes(rows), VILLAGES)
    assert kinds_and_lines(parsed) == [(ProblemKind.NOT_A_COUNT, 2)]


def test_missing_columns_are_named():
    parsed = parse_margins(csv_bytes([], header=("plaats", "leeftijd", "sekse", "n")), VILLAGES)
    assert parsed.problems == [
        Problem(ProblemKind.MISSING_COLUMN, 1, "village"),
        Problem(ProblemKind.MISSING_COLUMN, 1, "sex"),
        Problem(ProblemKind.MISSING_COLUMN, 1, "count"),
    ]


def test_a_short_row_reports_its_empty_values():
    rows = village_rows("Orvelte")
    rows[9] = ["Orvelte", "75+"]
    parsed = parse_margins(csv_bytes(rows), VILLAGES)
    assert [(p.kind, p.line, p.value) for p in parsed.problems] == [
        (ProblemKind.MISSING_VALUE, 11, "sex"),
        (ProblemKind.MISSING_VALUE, 11, "count"),
        (ProblemKind.INCOMPLETE_VILLAGE, 2, "Orvelte"),
    ]


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        ("village;age_band;sex;count\nOrvelte;18–34;vrouw;5\n".encode("cp1252"), "not_utf8"),
        (b"", "empty"),
        (b"\r\n \r\n", "empty"),
        (b"village,age_band,sex,count\r\n", "empty"),
    ],
)
def test_unreadable_or_empty_files(data, kind):
    parsed = parse_margins(data, VILLAGES)
    assert not parsed.ok
    assert kinds_and_lines(parsed) == [(ProblemKind(kind), None)]
