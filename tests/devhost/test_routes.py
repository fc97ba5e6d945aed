from __future__ import annotations

import azure.functions as func
from fastapi import Request, Response

from devhost.function_index import index
from devhost.http_host import FunctionKeys, HttpHost
from devhost.routes import RouteTemplate


def test_literal_segments_win_over_parameters_whatever_the_order() -> None:
    app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)

    async def handler(req: Request) -> Response:
        return Response()

    for name, route in (
        ("by_id", "conversations/{id}"),
        ("export", "conversations/export"),
        ("catch", "{*path}"),
        ("messages", "conversations/{id}/messages"),
    ):
        app.route(route=route, methods=["GET"])(app.function_name(name)(handler))
    http_functions, _ = index(app)
    host = HttpHost(http_functions, "api", FunctionKeys(set(), "master"))

    def resolve(path: str) -> tuple[str, dict[str, object]] | None:
        found = host.resolve("GET", path)
        return (found[0].name, found[1]) if found else None

    assert resolve("/api/conversations/export") == ("export", {})
    assert resolve("/api/conversations/abc") == ("by_id", {"id": "abc"})
    assert resolve("/api/conversations/abc/messages") == ("messages", {"id": "abc"})
    assert resolve("/api/other/thing") == ("catch", {"path": "other/thing"})
    assert host.resolve("POST", "/api/conversations/abc") is None


def test_route_constraints_and_optional_parameters() -> None:
    assert RouteTemplate("items/{n:int}").match(["items", "42"]) == {"n": "42"}
    assert RouteTemplate("items/{n:int}").match(["items", "x"]) is None
    assert RouteTemplate("items/{n?}").match(["items"]) == {}
    assert RouteTemplate("items").match(["items", "extra"]) is None


def test_function_keys_by_auth_level() -> None:
    keys = FunctionKeys({"fkey"}, "mkey")
    assert keys.allows("ANONYMOUS", None)
    assert not keys.allows("FUNCTION", None)
    assert keys.allows("FUNCTION", "fkey")
    assert keys.allows("FUNCTION", "mkey")
    assert not keys.allows("ADMIN", "fkey")
    assert keys.allows("ADMIN", "mkey")


def test_mixing_legacy_and_streaming_http_types_is_rejected_like_the_worker() -> None:
    import pytest

    app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)

    async def streaming(req: Request) -> Response:
        return Response()

    def legacy(req: func.HttpRequest) -> func.HttpResponse:
        return func.HttpResponse("")

    app.route(route="a", methods=["GET"])(app.function_name("a")(streaming))
    app.route(route="b", methods=["GET"])(app.function_name("b")(legacy))
    with pytest.raises(ValueError, match=r"func\.HttpRequest"):
        index(app)
