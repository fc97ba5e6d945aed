"""One decorated HTTP function per table entry, named after the entry, each served through `serve_operation`."""

from collections.abc import Awaitable, Callable, Iterable

import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, Response

from shared.dependencies import authenticate
from shared.operations import Operation, serve_operation

Adapter = Callable[[Request], Awaitable[Response]]


def _adapter(operation: Operation) -> Adapter:
    async def adapter(req: Request) -> Response:
        return await serve_operation(req, operation, authenticate)

    adapter.__name__ = adapter.__qualname__ = operation.name
    return adapter


def register(bp: func.Blueprint, operations: Iterable[Operation]) -> None:
    """The worker indexes one function per route and method; a loop declares them from the table."""
    for operation in operations:
        route = bp.route(route=operation.path, methods=[operation.method], auth_level=func.AuthLevel.ANONYMOUS)
        bp.function_name(operation.name)(route(_adapter(operation)))
