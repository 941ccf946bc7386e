"""`openoncall engine`: run the paging engine alone, until SIGTERM or Ctrl-C."""

from __future__ import annotations

import logging
import signal
import threading
from datetime import timedelta
from typing import Annotated

import typer

from openoncall.command_line import LogFormatOption, configured_settings
from openoncall.container import build_container
from openoncall.engine.runner import build_engine, channels_for
from openoncall.engine.worker import EngineOptions
from openoncall.observe.scrape import serve_metrics

log = logging.getLogger(__name__)


def engine_command(
    poll_seconds: Annotated[
        float, typer.Option(help="Safety-net poll; commits and NOTIFY wake it at once.")
    ] = 5.0,
    lease_seconds: Annotated[
        float, typer.Option(help="How long a claimed job is ours before others may retake it.")
    ] = 60.0,
    concurrency: Annotated[int, typer.Option(help="Jobs run at once.")] = 64,
    *,
    log_format: LogFormatOption = None,
    metrics_port: Annotated[
        int | None,
        typer.Option(
            "--metrics-port", help="Serve this process's Prometheus metrics on this port."
        ),
    ] = None,
    metrics_host: Annotated[str, typer.Option(help="Address for --metrics-port.")] = "127.0.0.1",
) -> None:
    """Run the paging engine alone (run several against PostgreSQL; `serve --no-engine` apart)."""
    container = build_container(configured_settings(log_format=log_format))
    if metrics_port is not None:
        serve_metrics(container, host=metrics_host, port=metrics_port)
    engine = build_engine(
        container,
        channels=channels_for(container),
        options=EngineOptions(
            poll_seconds=poll_seconds,
            lease=timedelta(seconds=lease_seconds),
            concurrency=concurrency,
        ),
    )
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        log.info("signal %s: stopping after running jobs finish", signum)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    engine.start()
    # stdout: stderr carries only log lines (JSON ones with --log-format json).
    typer.echo("engine running")
    stop.wait()
    engine.stop()
