"""Operator commands run against the configured Cosmos account (not deployed with the app)."""
