"""The upload form of the paper import, and the confirmation that imports a checked file."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import HiddenField
from wtforms.validators import DataRequired, Length, Regexp

from core.forms import OnceForm
from paper.import_files import MAX_BYTES


class UploadForm(FlaskForm):
    file = FileField(
        _l("File with the answers (CSV or Excel)"),
        description=_l(
            "One row per sheet: the sheet id in the column 'sheet' and the printed box numbers "
            "in the question columns, - for no answer and ? for unclear. Start from the "
            "template. At most 10 MB."
        ),
        validators=[
            FileRequired(message=_l("Choose the file with the answers.")),
            FileSize(MAX_BYTES, message=_l("The file is larger than 10 MB.")),
        ],
        render_kw={"accept": ".csv,.txt,.xlsx,text/csv,text/plain"},
    )


class ConfirmForm(OnceForm):
    """Imports the file checked in the dry run, named by its hash; sent twice, once."""

    sha256 = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{64}$")])
    filename = HiddenField(validators=[Length(max=255)])
