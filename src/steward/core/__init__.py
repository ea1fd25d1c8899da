"""Shared foundations: base models, the permission gate, generic views and API, htmx helpers."""
