"""Every admin operation is described in the OpenAPI document from its table entry."""

from __future__ import annotations

from shared.admin.routes import OPERATIONS
from shared.openapi import build_document


def test_every_admin_operation_is_described() -> None:
    document = build_document(OPERATIONS)
    operations = [(path, method, op) for path, item in document["paths"].items() for method, op in item.items()]

    assert len(operations) == len(OPERATIONS) == 19
    for path, method, operation in operations:
        assert "Requires the `admin` capability." in operation["description"], (method, path)
        assert {"401", "403"} <= set(operation["responses"]), (method, path)
        assert operation["tags"] == ["admin"]
    key = document["paths"]["/api/v1/admin/apikeys"]["post"]
    assert "201" in key["responses"] and "requestBody" in key
