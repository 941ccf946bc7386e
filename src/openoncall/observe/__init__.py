"""Logs and metrics for operators: structured log lines, process-wide counters, DB gauges."""
