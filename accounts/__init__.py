"""Everyone who logs in, their roles and scopes, and the magic links they log in with."""
