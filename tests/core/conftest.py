from tests.waves import make_margins, make_wave  # noqa: F401  (fixtures)
