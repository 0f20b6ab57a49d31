"""Demo data so a newcomer sees a living panel after `make run`."""
