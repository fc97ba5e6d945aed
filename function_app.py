"""The function app: registers one blueprint per capability and nothing else."""

import azure.functions as func

from functions import admin, completions, conversations, fallback, health, identity, moderation, openapi, responses

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)

for blueprint in (
    health.bp,
    identity.bp,
    completions.bp,
    openapi.bp,
    conversations.bp,
    moderation.bp,
    responses.bp,
    admin.bp,
    fallback.bp,
):
    app.register_functions(blueprint)
