"""OpenTelemetry for the app: set-up once per process, stage spans, metrics and structured logs.

Import the pieces from their modules: `shared.telemetry.tracing`, `.metrics`, `.attributes`, `.setup`,
`.logging`, `.http`, `.sampling` (whole traces), `.background` (work done after its requests), `.log_export`.
"""
