"""The Azure Monitor mode, set up in a process of its own (providers are set once per process): the
distro's sampler wrapped for whole traces, the resource named after the Functions site and instance,
every module's logs exported, and JSON lines once on the console."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from devhost.paths import PROJECT_ROOT

pytestmark = pytest.mark.stack

PROBE = r"""
import json, logging, sys
logging.basicConfig(level=logging.INFO, stream=sys.stdout)
from opentelemetry import trace
from opentelemetry.instrumentation.logging.handler import LoggingHandler
from shared.settings import load_settings
from shared.telemetry.setup import configure_telemetry
mode = configure_telemetry(load_settings())
provider = trace.get_tracer_provider()
root = logging.getLogger()
logging.getLogger("functions.probe").info("probe line")
tracer = trace.get_tracer("probe")
with tracer.start_as_current_span("parent") as parent, tracer.start_as_current_span("child") as child:
    sampled = (parent.get_span_context().trace_flags.sampled, child.get_span_context().trace_flags.sampled)
print("REPORT " + json.dumps({
    "mode": mode,
    "sampler": provider.sampler.get_description(),
    "resource": {k: str(v) for k, v in provider.resource.attributes.items()},
    "exporting_handlers": sum(isinstance(h, LoggingHandler) for h in root.handlers),
    "sampled": sampled,
}))
"""


def test_azure_monitor_mode(stack: Any) -> None:
    env = {
        **os.environ,
        "APPLICATIONINSIGHTS_CONNECTION_STRING": (
            "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/"
        ),
        "WEBSITE_SITE_NAME": "func-copilot-prod",
        "WEBSITE_INSTANCE_ID": "instance-42",
        "DEPLOYMENT_ENVIRONMENT": "prod",
        "OTEL_TRACES_SAMPLER": "microsoft.rate_limited",
        "OTEL_TRACES_SAMPLER_ARG": "1000",
    }
    completed = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    lines = [line for line in completed.stdout.splitlines() if line.strip()]
    (report,) = [json.loads(line.removeprefix("REPORT ")) for line in lines if line.startswith("REPORT ")]
    assert report["mode"] == "azure_monitor"
    assert report["sampler"].startswith("WholeTraceSampler{") and "RateLimited" in report["sampler"]
    assert report["resource"]["service.name"] == "func-copilot-prod"
    assert report["resource"]["service.instance.id"] == "instance-42"
    assert report["resource"]["deployment.environment.name"] == "prod"
    assert "service.namespace" not in report["resource"]
    assert report["exporting_handlers"] == 1, "every module's records are exported (root logger)"
    assert report["sampled"] == [True, True]
    (probe,) = [line for line in lines if "probe line" in line]
    assert json.loads(probe)["logger"] == "functions.probe", "JSON, once"
