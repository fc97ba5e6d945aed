"""Administration of a tenant over HTTP: budgets, moderation policy, API keys, usage, the audit trail."""
