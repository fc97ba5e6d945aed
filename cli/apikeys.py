"""Service API keys: create (the key is printed once), revoke, list. Reads app settings like the app."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from shared.admin.audit import Actor, AuditLog
from shared.admin.wiring import build_audit_log
from shared.clients import Clients
from shared.dependencies import build_api_key_store
from shared.identity.api_keys import ApiKeyNotFound, ApiKeyStore
from shared.identity.caller import Capability
from shared.settings import SettingsError, load_settings


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m cli", description="Operator commands.")
    root.add_argument("--settings", type=Path, help="a local.settings.json whose Values fill unset app settings")
    groups = root.add_subparsers(dest="group", required=True)
    apikeys = groups.add_parser("apikeys", help="service API keys")
    commands = apikeys.add_subparsers(dest="command", required=True)

    create = commands.add_parser("create", help="create a key and print it once")
    create.add_argument("--tenant", required=True, help="the tenant the key acts in")
    create.add_argument("--service", required=True, help="the calling service's stable name (its user id)")
    create.add_argument(
        "--capability",
        dest="capabilities",
        action="append",
        required=True,
        choices=[c.value for c in Capability],
        help="repeat for each capability granted",
    )
    create.add_argument("--description", default="")
    create.add_argument("--expires-in-days", type=int, default=None)

    revoke = commands.add_parser("revoke", help="revoke a key by its id (the part after cpk_)")
    revoke.add_argument("key_id")

    listing = commands.add_parser("list", help="list keys (never their secrets)")
    listing.add_argument("--tenant", default=None)
    return root


def apply_settings_file(path: Path) -> None:
    values = json.loads(path.read_text()).get("Values", {})
    for name, value in values.items():
        os.environ.setdefault(name, str(value))


async def run(arguments: argparse.Namespace, store: ApiKeyStore, out: TextIO, audit: AuditLog | None = None) -> int:
    if arguments.command == "create":
        expires_at = None
        if arguments.expires_in_days is not None:
            expires_at = datetime.now(UTC) + timedelta(days=arguments.expires_in_days)
        record, key = await store.create(
            arguments.tenant,
            arguments.service,
            [Capability(c) for c in arguments.capabilities],
            description=arguments.description,
            expires_at=expires_at,
        )
        _print(out, {**record.public(), "key": key})  # shown first: the key exists whatever happens next
        if audit is not None:
            await audit.record(record.tenant, _operator(record.tenant), "apikey.create", f"apikey:{record.id}",
                               after=record.public())  # fmt: skip
        return 0
    if arguments.command == "revoke":
        try:
            before = await store.get(arguments.key_id)
            record = await store.revoke(arguments.key_id)
        except ApiKeyNotFound:
            print(f"no API key with id {arguments.key_id}", file=sys.stderr)
            return 1
        if audit is not None and before.revoked_at is None:
            await audit.record(record.tenant, _operator(record.tenant), "apikey.revoke", f"apikey:{record.id}",
                               before=before.public(), after=record.public())  # fmt: skip
        _print(out, record.public())
        return 0
    records = await store.list_keys(arguments.tenant)
    _print(out, [record.public() for record in records])
    return 0


def _operator(tenant: str) -> Actor:
    """The person at the terminal, as the audit trail names them."""
    return Actor(kind="operator", tenant=tenant, user=f"cli:{getpass.getuser()}")


def _print(out: TextIO, value: Any) -> None:
    out.write(json.dumps(value, indent=2) + "\n")


async def main(argv: list[str], out: TextIO = sys.stdout) -> int:
    arguments = parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)  # stdout carries only the JSON result
    if arguments.settings is not None:
        apply_settings_file(arguments.settings)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    clients = Clients(settings)
    try:
        store = clients.service("api_keys", build_api_key_store)
        return await run(arguments, store, out, clients.service("admin.audit", build_audit_log))
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    finally:
        await clients.aclose()
