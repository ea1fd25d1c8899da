"""Organisations (tenants), memberships with roles, and API tokens."""
