"""GET /api/health for probes."""

import azure.functions as func

from functions.adapters import register
from shared.health_routes import OPERATIONS

bp = func.Blueprint()
register(bp, OPERATIONS)
