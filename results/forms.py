"""Forms for village clusters, curated quotes and releasing results."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectChoice,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import HiddenInput

from accounts.forms import strip
from results.clusters import ClusterProblem, ClusterRefused
from surveys.answer_form import LONG_TEXT_MAX
from surveys.forms import MultiCheckboxField
from villages.models import Village


class VillageCheckboxes(MultiCheckboxField):
    """Checkboxes that keep each choice's own attributes: a village in another cluster is
    shown, but disabled."""

    def __iter__(self):
        for option in super().__iter__():
            option.render_kw = {**(option.render_kw or {}), **option.choice.render_kw}
            yield option


class ClusterForm(FlaskForm):
    name = StringField(
        _l("Name of the cluster"),
        filters=[strip],
        validators=[
            DataRequired(_l("Fill in a name for the cluster.")),
            Length(max=80, message=_l("Use at most 80 characters.")),
        ],
        description=_l("Shown with the figures, for example “Orvelte and surroundings”."),
    )
    villages = VillageCheckboxes(
        _l("Villages in the cluster"),
        coerce=int,
        description=_l(
            "Tick at least two villages. A village can be in one cluster only: "
            "villages already in another cluster cannot be ticked."
        ),
    )

    def __init__(self, villages: list[Village], elsewhere: dict[int, str], *args, **kwargs):
        """`elsewhere`: village id -> the other cluster it is in; shown, but not to tick."""
        super().__init__(*args, **kwargs)
        self.villages.choices = [
            SelectChoice(v.id, v.name)
            if v.id not in elsewhere
            else SelectChoice(
                v.id,
                _l("%(village)s (in %(cluster)s)", village=v.name, cluster=elsewhere[v.id]),
                render_kw={"disabled": True},
            )
            for v in villages
        ]

    def refuse(self, refused: ClusterRefused) -> None:
        """Show why the service refused, by the field it is about."""
        problem = refused.problem
        if problem is ClusterProblem.NAME_TAKEN:
            field, message = self.name, _l("Another cluster already has this name.")
        elif problem is ClusterProblem.TOO_FEW_VILLAGES:
            field, message = self.villages, _l("Tick at least two villages.")
        else:  # a village already in another cluster
            names = ", ".join(refused.villages)
            field = self.villages
            message = _l("Already in another cluster: %(villages)s.", villages=names)
        field.errors = [*field.errors, message]


class QuoteForm(FlaskForm):
    """Start a quote from one open answer: the text prefilled, for the official to edit."""

    response_id = HiddenField(validators=[DataRequired(), Length(max=32)])
    question = HiddenField(validators=[DataRequired(), Length(max=60)])
    text = TextAreaField(
        _l("Text of the quote"),
        filters=[strip],
        validators=[
            DataRequired(_l("Fill in the text of the quote.")),
            Length(
                max=LONG_TEXT_MAX,
                message=_l("Use at most %(max)s characters.", max=LONG_TEXT_MAX),
            ),
        ],
        description=_l(
            "Remove names, addresses, and anything else that tells who wrote it or "
            "where they live, such as a street, a business or a family situation."
        ),
        render_kw={"rows": 5},
    )


class PublishQuoteForm(FlaskForm):
    confirm = BooleanField(
        _l("I removed names, addresses and other identifying details"),
        validators=[
            DataRequired(
                _l("Confirm that you removed names, addresses and other identifying details.")
            )
        ],
    )


class ReleaseForm(FlaskForm):
    """Publish one run: the one the official checked, not whatever is newest by then."""

    run = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
