"""No setting is offered that the app does not read: an unread one gives operators a control that does nothing.

`DEBUG_LOG_MESSAGE_CONTENT` was such a setting (offered, never read) and is removed; these checks keep
the sample settings and the deployment to the names the settings model declares.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from shared.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
HOST_SETTINGS = re.compile(r"^(FUNCTIONS_|PYTHON_|AzureWebJobs|WEBSITE_)")
"""Read by the Functions host, not by the app."""


def aliases() -> set[str]:
    return {field.alias for field in Settings.model_fields.values() if field.alias}


def test_every_sample_setting_is_read_by_the_app_or_the_host() -> None:
    values = json.loads((ROOT / "local.settings.sample.json").read_text())["Values"]
    unread = [name for name in values if name not in aliases() and not HOST_SETTINGS.match(name)]
    assert unread == []


def test_message_content_logging_is_not_offered() -> None:
    assert "DEBUG_LOG_MESSAGE_CONTENT" not in aliases()
    deployed = [ROOT / "local.settings.sample.json", *sorted((ROOT / "infra").rglob("*.bicep")), ROOT / "README.md"]
    assert [path.name for path in deployed if "DEBUG_LOG_MESSAGE_CONTENT" in path.read_text()] == []
