"""Outgoing mail through a transactional outbox: queued with the change, delivered by a worker."""
