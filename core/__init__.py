"""Shared foundation: database base, configuration, security headers, i18n and health."""
