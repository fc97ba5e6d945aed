"""host.json and local.settings.sample.json validate against the Functions schemas vendored in schemas/."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from devhost.stack import StackPorts, stack_settings

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "schemas" / "functions"


def _validate(document: Path, schema: Path) -> None:
    loaded = json.loads(schema.read_text())
    validator_class = jsonschema.validators.validator_for(loaded)
    validator = validator_class(loaded)
    errors = sorted(validator.iter_errors(json.loads(document.read_text())), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_host_json_matches_schema() -> None:
    _validate(ROOT / "host.json", SCHEMAS / "host.schema.json")


def test_host_json_schema_catches_a_misspelt_queue_key(tmp_path: Path) -> None:
    broken = json.loads((ROOT / "host.json").read_text())
    broken["extensions"]["queues"]["maxDequeueCounts"] = 5
    path = tmp_path / "host.json"
    path.write_text(json.dumps(broken))
    try:
        _validate(path, SCHEMAS / "host.schema.json")
    except AssertionError:
        return
    raise AssertionError("the schema accepted a misspelt key")


def test_local_settings_sample_matches_schema() -> None:
    _validate(ROOT / "local.settings.sample.json", SCHEMAS / "local.settings.schema.json")


def test_local_settings_sample_points_at_the_default_stack() -> None:
    values = json.loads((ROOT / "local.settings.sample.json").read_text())["Values"]
    for name, value in stack_settings(StackPorts()).items():
        if name == "AUTH_ISSUERS":
            continue  # the sample names the key file relative to the project root
        assert values[name] == value, name
