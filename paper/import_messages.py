"""The wording of what can be wrong with an answers file, in the reader's language."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _


def file_message(kind: str) -> str:
    """Why the file as a whole cannot be imported."""
    return {
        "empty": lambda: _("The file is empty."),
        "no_rows": lambda: _("The file has a header row but no rows with answers."),
        "too_large": lambda: _(
            "The file is larger than 10 MB. Split it into several files and import them one by one."
        ),
        "encoding": lambda: _(
            "The file's characters cannot be read. In your spreadsheet, save it as "
            "'CSV UTF-8' or as an Excel workbook (.xlsx)."
        ),
        "binary": lambda: _(
            "This is not a CSV file or an Excel workbook. Save it from your spreadsheet as "
            "'CSV UTF-8' or as an Excel workbook (.xlsx)."
        ),
        "old_excel": lambda: _(
            "This is an old Excel file (.xls). Save it as an Excel workbook (.xlsx) or as "
            "'CSV UTF-8'."
        ),
        "not_xlsx": lambda: _(
            "The Excel workbook cannot be read. Save it again as an Excel workbook (.xlsx) "
            "or as 'CSV UTF-8'."
        ),
        "not_csv": lambda: _(
            "The file cannot be read as CSV: a quote is not closed or a value is far too "
            "long. Save it from your spreadsheet as 'CSV UTF-8' again."
        ),
        "too_many_rows": lambda: _(
            "The file has more than 100,000 rows. Split it into several files."
        ),
        "too_many_columns": lambda: _("The file has more than 1,000 columns."),
        "closed": lambda: _(
            "The survey has been closed: paper questionnaires can no longer be imported."
        ),
    }[kind]()


def header_message(kind: str, name: str) -> str:
    return {
        "no_sheet_column": lambda: _(
            "The header row has no column 'sheet' with the sheet ids. Use the template's first row."
        ),
        "unknown_column": lambda: _(
            "Column '%(name)s' is not a question of this questionnaire. Correct the header "
            "or remove the column.",
            name=name,
        ),
        "duplicate_column": lambda: _("Column '%(name)s' appears more than once.", name=name),
        "missing_column": lambda: _(
            "Column '%(name)s' is missing. Add it (leave it empty where nothing was answered).",
            name=name,
        ),
    }[kind]()


def row_message(kind: str, **params: Any) -> str:
    return {
        "no_sheet_id": lambda: _("This row has answers but no sheet id."),
        "duplicate_sheet": lambda: _(
            "Sheet %(id)s is in the file twice: also in row %(other)s.", **params
        ),
        "unnamed_column": lambda: _(
            "A value in a column without a header: give the column the question's code or "
            "remove the value."
        ),
        "other_version": lambda: _(
            "Sheet %(id)s was printed with another version of the questionnaire, which does "
            "not have this question: leave it empty.",
            **params,
        ),
    }[kind]()
