"""The home dashboard; later modules add their panels here."""
