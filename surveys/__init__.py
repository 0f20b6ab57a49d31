"""Questionnaires, their versions and routing, and the answers to them."""
