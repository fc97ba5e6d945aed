"""OpenAI's Responses API (text subset) over our conversation store."""

import azure.functions as func

from functions.adapters import register
from shared.responses.routes import OPERATIONS

bp = func.Blueprint()
register(bp, OPERATIONS)
