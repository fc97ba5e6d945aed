"""The function app: registers one blueprint per capability and nothing else."""

import azure.functions as func

from functions import fallback, health, identity

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)

for blueprint in (health.bp, identity.bp, fallback.bp):
    app.register_functions(blueprint)
