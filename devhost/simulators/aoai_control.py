"""`/_sim/*` control endpoints: change config, queue faults, reset and read statistics at runtime."""

import json
from typing import Any

from aiohttp import web
from pydantic import TypeAdapter, ValidationError

from devhost.simulators.aoai_config import FaultSpec
from devhost.simulators.aoai_payloads import bad_request
from devhost.simulators.aoai_state import SimulatorState

_FAULT_LIST = TypeAdapter(list[FaultSpec])


async def _json_body(request: web.Request, default: Any) -> Any:
    raw = await request.read()
    if not raw.strip():
        return default
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise web.HTTPBadRequest(text=str(error)) from error


class SimulatorControl:
    def __init__(self, state: SimulatorState) -> None:
        self._state = state

    async def get_config(self, request: web.Request) -> web.Response:
        return web.json_response(self._state.config.model_dump())

    async def update_config(self, request: web.Request) -> web.Response:
        patch = await _json_body(request, {})
        if not isinstance(patch, dict):
            return bad_request("Config patch must be a JSON object.")
        try:
            self._state.config = self._state.config.with_patch(patch)
        except ValidationError as error:
            return bad_request(f"Invalid config: {error}")
        return web.json_response(self._state.config.model_dump())

    async def list_faults(self, request: web.Request) -> web.Response:
        return web.json_response(self._state.faults.to_json())

    async def queue_faults(self, request: web.Request) -> web.Response:
        payload = await _json_body(request, [])
        if isinstance(payload, dict):
            payload = [payload]
        try:
            faults = _FAULT_LIST.validate_python(payload)
        except ValidationError as error:
            return bad_request(f"Invalid faults: {error}")
        self._state.faults.add(faults)
        return web.json_response(self._state.faults.to_json())

    async def reset(self, request: web.Request) -> web.Response:
        options = await _json_body(request, {})
        restore_config = isinstance(options, dict) and bool(options.get("config"))
        self._state.reset(restore_config=restore_config)
        return web.json_response({"reset": True, "config_restored": restore_config})

    async def resume(self, request: web.Request) -> web.Response:
        self._state.resume()
        return web.json_response({"resumed": True})

    async def stats(self, request: web.Request) -> web.Response:
        return web.json_response(self._state.stats.to_json())


def add_control_routes(app: web.Application, state: SimulatorState) -> None:
    control = SimulatorControl(state)
    app.router.add_get("/_sim/config", control.get_config)
    app.router.add_post("/_sim/config", control.update_config)
    app.router.add_get("/_sim/faults", control.list_faults)
    app.router.add_post("/_sim/faults", control.queue_faults)
    app.router.add_post("/_sim/reset", control.reset)
    app.router.add_post("/_sim/resume", control.resume)
    app.router.add_get("/_sim/stats", control.stats)
