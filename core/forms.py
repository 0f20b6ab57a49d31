from flask_wtf import FlaskForm


class ButtonForm(FlaskForm):
    """A one-button POST (log in, log out, start, revoke, retry): only its CSRF token."""
