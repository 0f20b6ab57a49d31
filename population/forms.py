"""The margins upload form, and the wording of what can be wrong with a file."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import StringField
from wtforms.validators import DataRequired, Length, ValidationError
from wtforms.widgets import DateInput

from core.dates import local_today
from panel.models import AgeBand, Sex
from population.csv_import import COLUMNS, Problem, ProblemKind

MAX_FILE_BYTES = 2 * 1024 * 1024


class ImportForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        description=_l(
            "One line per village, age band and sex, with the columns village, age_band, sex "
            "and count (Dutch column names work too). Save from a spreadsheet as "
            "CSV UTF-8, separated by semicolons or commas."
        ),
        validators=[
            FileRequired(message=_l("Choose the CSV file with the figures.")),
            FileSize(MAX_FILE_BYTES, message=_l("The file is larger than 2 MB.")),
        ],
        render_kw={"accept": ".csv,text/csv,text/plain"},
    )
    # A browser's date input always sends YYYY-MM-DD; our own check gives our own message.
    reference_date = StringField(
        _l("Reference date"),
        description=_l("The date the figures describe, usually 1 January of a year."),
        widget=DateInput(),
        validators=[DataRequired(message=_l("Enter the date the figures describe."))],
    )
    source = StringField(
        _l("Source"),
        description=_l("Where the figures come from, e.g. CBS Kerncijfers wijken en buurten 2026."),
        validators=[
            DataRequired(message=_l("Enter where the figures come from.")),
            Length(max=200, message=_l("Keep the source under 200 characters.")),
        ],
    )

    def validate_reference_date(self, field) -> None:
        try:
            day = date.fromisoformat(field.data.strip())
        except ValueError:
            raise ValidationError(_l("Enter the date as day, month and year.")) from None
        if day > local_today():
            raise ValidationError(_l("The reference date cannot be in the future."))

    def reference_day(self) -> date:
        """The validated reference date."""
        return date.fromisoformat(self.reference_date.data.strip())


def sex_label(sex: Sex) -> str:
    return {Sex.FEMALE: _("women"), Sex.MALE: _("men")}.get(sex, _("other"))


def group_label(band: AgeBand, sex: Sex) -> str:
    """ "18-34 women": an age band and sex, as shown in tables and messages."""
    return f"{band.value} {sex_label(sex)}"


def column_label(column: str) -> str:
    return {
        "village": _("village"),
        "age_band": _("age band"),
        "sex": _("sex"),
        "count": _("count"),
    }[column]


def _where(problem: Problem) -> str:
    return _("Line %(line)s", line=problem.line) if problem.line else _("The file")


def problem_message(problem: Problem) -> str:
    """What is wrong, in the reader's language, starting with the line number."""
    kind, value = problem.kind, problem.value
    text = {
        ProblemKind.NOT_UTF8: lambda: _(
            "is not a UTF-8 text file. In your spreadsheet, save it as 'CSV UTF-8'."
        ),
        ProblemKind.NOT_CSV: lambda: _(
            "cannot be read as a CSV file: a value is far too long or holds an odd character. "
            "In your spreadsheet, save it as 'CSV UTF-8' again."
        ),
        ProblemKind.EMPTY: lambda: _("holds no figures."),
        ProblemKind.MISSING_COLUMN: lambda: _(
            "the column '%(column)s' (or '%(dutch)s') is missing from the first line.",
            column=value,
            dutch=COLUMNS[value][1],
        ),
        ProblemKind.MISSING_VALUE: lambda: _(
            "the %(column)s is empty.", column=column_label(value)
        ),
        ProblemKind.UNKNOWN_VILLAGE: lambda: _(
            "village '%(village)s' is not in the municipality "
            "(neighbourhoods count with their village).",
            village=value,
        ),
        ProblemKind.UNKNOWN_AGE_BAND: lambda: _(
            "age band '%(band)s' is not one of 18-34, 35-49, 50-64, 65-74 and 75+.", band=value
        ),
        ProblemKind.UNKNOWN_SEX: lambda: _(
            "sex '%(sex)s' is not female or male (vrouw or man).", sex=value
        ),
        ProblemKind.THOUSANDS_SEPARATOR: lambda: _(
            "write the count '%(count)s' without a thousands separator.", count=value
        ),
        ProblemKind.NEGATIVE_COUNT: lambda: _("the count '%(count)s' is negative.", count=value),
        ProblemKind.NOT_A_COUNT: lambda: _(
            "the count '%(count)s' is not a whole number.", count=value
        ),
        ProblemKind.TOO_LARGE: lambda: _(
            "the count '%(count)s' is far too large for a village.", count=value
        ),
        ProblemKind.DUPLICATE: lambda: _(
            "this village, age band and sex were already given on line %(line)s.",
            line=problem.other_line,
        ),
        ProblemKind.INCOMPLETE_VILLAGE: lambda: _(
            "village '%(village)s' lacks figures for %(cells)s; "
            "a village needs all ten age band and sex combinations.",
            village=value,
            cells=", ".join(group_label(band, sex) for band, sex in problem.missing),
        ),
    }[kind]()
    return f"{_where(problem)}: {text}"
