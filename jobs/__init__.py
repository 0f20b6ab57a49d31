"""Background jobs: work that must not run inside a web request, with progress a page can show."""
