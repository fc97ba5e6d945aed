"""The deployed set's lock: every package pinned with hashes, matching requirements.txt, no stray pre-release."""

from __future__ import annotations

import re
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
ALLOWED_PRE_RELEASES = re.compile(
    r"^(azure-monitor-opentelemetry-exporter|azure-core-tracing-opentelemetry|opentelemetry-instrumentation(-.+)?"
    r"|opentelemetry-semantic-conventions|opentelemetry-util-http|opentelemetry-exporter-http-transport"
    r"|opentelemetry-exporter-otlp-common)$"
)
"""Required by azure-monitor-opentelemetry and never released as final (docs/deployment.md, Supply chain)."""


def locked() -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) from requirements.lock."""
    entries: dict[str, tuple[str, int]] = {}
    name = ""
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9._-]+)==([^ \\]+)", line)
        if match:
            name = match.group(1).lower().replace("_", "-")
            entries[name] = (match.group(2), 0)
        elif line.strip().startswith("--hash=sha256:") and name:
            version, hashes = entries[name]
            entries[name] = (version, hashes + 1)
    return entries


def test_every_locked_package_is_pinned_with_hashes() -> None:
    entries = locked()
    assert len(entries) > 20
    assert all(hashes >= 1 for _, hashes in entries.values()), [n for n, (_, h) in entries.items() if not h]


def test_the_lock_matches_requirements_txt() -> None:
    entries = locked()
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        requirement = Requirement(line)
        name = requirement.name.lower().replace("_", "-")
        assert name in entries, f"{name} is missing from requirements.lock: run make lock"
        assert requirement.specifier.contains(entries[name][0], prereleases=True), (
            f"{name}: requirements.txt says {requirement.specifier}, the lock {entries[name][0]}: run make lock"
        )


def test_no_pre_release_but_the_named_ones() -> None:
    stray = [
        f"{name}=={version}"
        for name, (version, _) in locked().items()
        if Version(version).is_prerelease and not ALLOWED_PRE_RELEASES.match(name)
    ]
    assert stray == []
