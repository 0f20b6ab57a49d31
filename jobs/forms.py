from flask_wtf import FlaskForm


class StartDemoJobForm(FlaskForm):
    """One button; the form exists for its CSRF token."""
