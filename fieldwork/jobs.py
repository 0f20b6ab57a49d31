"""Fieldwork runs in the background: sending thousands of invitations, and reminders."""
