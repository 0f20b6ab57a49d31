"""Fieldwork: invitations, reminders, answering, and the response monitor."""
