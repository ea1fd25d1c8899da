"""Background work: one queue abstraction with a database-backed default that needs no extra server."""
