"""The paper path: printed questionnaires with sheet ids, volunteer data entry, imports."""
