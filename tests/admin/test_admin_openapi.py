"""Every admin route is described in the OpenAPI document by its own registered operation."""

from __future__ import annotations

import function_app
from shared.admin import openapi_registration as _described  # noqa: F401
from shared.openapi import build_document, http_routes


def test_every_admin_route_has_a_registered_operation() -> None:
    routes = [route for route in http_routes(function_app.app) if route.route.startswith("v1/admin/")]
    document = build_document(routes)
    operations = [(path, method, op) for path, item in document["paths"].items() for method, op in item.items()]

    assert len(operations) == sum(len(route.methods) for route in routes) == 19
    for path, method, operation in operations:
        assert "Not yet described" not in operation.get("description", ""), (method, path)
        assert "Requires the `admin` capability." in operation["description"], (method, path)
        assert {"401", "403"} <= set(operation["responses"]), (method, path)
        assert operation["tags"] == ["admin"]
    key = document["paths"]["/api/v1/admin/apikeys"]["post"]
    assert "201" in key["responses"] and "requestBody" in key
