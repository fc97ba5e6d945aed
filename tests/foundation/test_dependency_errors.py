"""Which SDK exceptions mean 'a store is unavailable' (503 + Retry-After) and which stay errors."""

from __future__ import annotations

import pytest
from azure.core.exceptions import (
    HttpResponseError,
    ResourceNotFoundError,
    ServiceRequestError,
    ServiceRequestTimeoutError,
    ServiceResponseError,
    ServiceResponseTimeoutError,
)
from azure.cosmos.exceptions import CosmosClientTimeoutError, CosmosHttpResponseError

from shared.errors import dependency_unavailable


@pytest.mark.parametrize(
    "error",
    [
        ServiceRequestError("connection refused"),
        ServiceRequestTimeoutError("connect timeout"),
        ServiceResponseError("connection reset"),
        ServiceResponseTimeoutError("read timeout"),
        CosmosClientTimeoutError(),  # type: ignore[no-untyped-call]
        CosmosHttpResponseError(status_code=503, message="unavailable"),  # type: ignore[no-untyped-call]
        CosmosHttpResponseError(status_code=429, message="throttled after retries"),  # type: ignore[no-untyped-call]
        CosmosHttpResponseError(status_code=408, message="request timeout"),  # type: ignore[no-untyped-call]
    ],
)
def test_unavailable_store_answers_503_with_retry_after(error: Exception) -> None:
    mapped = dependency_unavailable(error)
    assert mapped is not None
    assert mapped.status == 503 and mapped.code == "store_unavailable"
    assert int(mapped.headers["Retry-After"]) >= 1


@pytest.mark.parametrize(
    "error",
    [
        ValueError("a bug"),
        ResourceNotFoundError("missing"),
        CosmosHttpResponseError(status_code=400, message="bad request"),  # type: ignore[no-untyped-call]
        CosmosHttpResponseError(status_code=500, message="server bug"),  # type: ignore[no-untyped-call]
        HttpResponseError("no status"),
    ],
)
def test_other_errors_are_not_outages(error: Exception) -> None:
    assert dependency_unavailable(error) is None
