"""Pure statistics on plain arrays (numpy/scipy): no Flask, no SQLAlchemy. Services feed it."""
