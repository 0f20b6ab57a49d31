"""'Today' is the municipality's date, not the server's."""

from core.dates import local_today


def test_today_follows_the_configured_time_zone(make_app):
    # UTC+14 and UTC-11 are 25 hours apart: their dates always differ, whatever the server's.
    days = []
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
        with make_app(BABEL_DEFAULT_TIMEZONE=zone).app_context():
            days.append(local_today())
    assert (days[0] - days[1]).days in (1, 2)


def test_the_default_is_dutch_time(app):
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == "Europe/Amsterdam"
