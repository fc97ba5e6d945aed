"""Admin API: budgets, moderation policy, API keys, usage report and audit trail of a tenant."""

import azure.functions as func

from functions.adapters import register
from shared.admin.routes import OPERATIONS

bp = func.Blueprint()
register(bp, OPERATIONS)
