"""The caller: GET /api/v1/me."""

import azure.functions as func

from functions.adapters import register
from shared.identity.routes import OPERATIONS

bp = func.Blueprint()
register(bp, OPERATIONS)
