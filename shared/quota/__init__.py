"""Per-user and per-tenant token quotas, leased per instance from Cosmos window counters."""
