"""The API's own documents: the OpenAPI document of the HTTP operations and the queues' AsyncAPI document."""

import azure.functions as func

from functions.adapters import register
from shared import openapi_routes
from shared.queues import routes as queue_routes

bp = func.Blueprint()
register(bp, (*openapi_routes.OPERATIONS, *queue_routes.OPERATIONS))
